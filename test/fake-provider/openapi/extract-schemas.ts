/**
 * Extracts the fine-tuning schemas the fake provider is checked against from a provider's published OpenAPI
 * document, as JSON Schema for ajv, into a fixture beside this file. Run it again when a document changes:
 *
 *   npx tsx test/fake-provider/openapi/extract-schemas.ts openai   <openapi.yaml> <commit>
 *   npx tsx test/fake-provider/openapi/extract-schemas.ts together <openapi.yaml> <commit>
 *
 * (the documents: github.com/openai/openai-openapi `openapi.yaml`, github.com/togethercomputer/openapi `openapi.yaml`).
 * OpenAPI 3.0's `nullable` becomes a `null` type and a boolean `exclusiveMinimum` a number; descriptions, examples and `x-` extensions are dropped.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

type Json = unknown;
type Document = { components: { schemas: Record<string, Json> }; paths: Record<string, Record<string, Json>> };

const targets = {
  openai: {
    repo: 'openai/openai-openapi',
    output: 'fine-tuning-openai.json',
    named: ['CreateFineTuningJobRequest', 'FineTuningJob', 'ListFineTuningJobEventsResponse', 'ListFineTuningJobCheckpointsResponse'],
    inline: {},
    // Preference and reinforcement methods pull in the graders; Distillery sends supervised only.
    opaque: ['FineTuneDPOMethod', 'FineTuneReinforcementMethod'],
  },
  together: {
    repo: 'togethercomputer/openapi',
    output: 'fine-tuning-together.json',
    named: ['FinetuneResponseTruncated', 'FinetuneResponse', 'FinetuneListEvents', 'FinetuneListCheckpoints'],
    inline: {
      CreateFineTuneRequest: ['paths', '/fine-tunes', 'post', 'requestBody', 'content', 'application/json', 'schema'],
      FineTuneMetricsResponse: ['paths', '/fine-tunes/{id}/metrics', 'get', 'responses', '200', 'content', 'application/json', 'schema'],
    },
    opaque: ['TrainingMethodDPO', 'MultimodalParams'],
  },
} as const;

function convert(node: Json, refs: Set<string>): Json {
  if (Array.isArray(node)) return node.map((item) => convert(item, refs));
  if (node === null || typeof node !== 'object') return node;
  const source = node as Record<string, Json>;
  const out: Record<string, Json> = {};
  for (const [key, value] of Object.entries(source)) {
    if (key === 'description' || key === 'example' || key === 'examples' || key === 'nullable' || key === 'deprecated' || key.startsWith('x-')) continue;
    if (key === '$ref' && typeof value === 'string') {
      const name = value.replace('#/components/schemas/', '');
      refs.add(name);
      out.$ref = `#/definitions/${name}`;
      continue;
    }
    // Property names and enum values are data, not schemas: keep them as they are.
    out[key] = key === 'enum' || key === 'required' || key === 'const' || key === 'default' ? value : key === 'properties' ? mapValues(value as Record<string, Json>, refs) : convert(value, refs);
  }
  // OpenAPI 3.0's boolean exclusiveMinimum is JSON Schema's numeric one.
  if (out.exclusiveMinimum === true && typeof out.minimum === 'number') {
    out.exclusiveMinimum = out.minimum;
    delete out.minimum;
  } else if (typeof out.exclusiveMinimum === 'boolean') delete out.exclusiveMinimum;
  if (source.nullable === true) {
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    else return { anyOf: [out, { type: 'null' }] };
    if (Array.isArray(out.enum)) out.enum = [...(out.enum as Json[]), null];
  }
  return out;
}

function mapValues(properties: Record<string, Json>, refs: Set<string>): Record<string, Json> {
  return Object.fromEntries(Object.entries(properties).map(([name, schema]) => [name, convert(schema, refs)]));
}

function at(document: Json, path: readonly string[]): Json {
  let node = document;
  for (const key of path) node = (node as Record<string, Json>)[key];
  if (node === undefined) throw new Error(`not in the document: ${path.join(' → ')}`);
  return node;
}

function main(): void {
  const [name, file, commit] = process.argv.slice(2);
  if (name !== 'openai' && name !== 'together') throw new Error('first argument: openai or together');
  if (file === undefined || commit === undefined || !/^[0-9a-f]{40}$/.test(commit)) throw new Error('usage: extract-schemas.ts openai|together <openapi.yaml> <40-hex commit>');
  const target = targets[name];
  const document = parse(readFileSync(file, 'utf8'), { maxAliasCount: -1 }) as Document;
  const definitions: Record<string, Json> = {};
  const pending = new Set<string>();
  for (const [schemaName, path] of Object.entries(target.inline)) definitions[schemaName] = convert(at(document, path as readonly string[]), pending);
  for (const schemaName of target.named) pending.add(schemaName);
  while (pending.size > 0) {
    const next = pending.values().next().value as string;
    pending.delete(next);
    if (definitions[next] !== undefined) continue;
    definitions[next] = (target.opaque as readonly string[]).includes(next) ? { type: 'object' } : convert(at(document, ['components', 'schemas', next]), pending);
  }
  const sorted = Object.fromEntries(Object.entries(definitions).sort(([left], [right]) => left.localeCompare(right)));
  const fixture = {
    source: { repository: `github.com/${target.repo}`, file: 'openapi.yaml', commit, opaque: target.opaque, inline: target.inline },
    definitions: sorted,
  };
  const output = join(dirname(fileURLToPath(import.meta.url)), target.output);
  writeFileSync(output, `${JSON.stringify(fixture, null, 1)}\n`);
  console.log(`${output}: ${Object.keys(sorted).length} schemas`);
}

main();
