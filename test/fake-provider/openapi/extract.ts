/**
 * Extracts the schemas the fake provider and the client are checked against from a provider's published
 * OpenAPI document, with everything they reference and without prose (descriptions, examples, x-*), into a
 * small fixture beside this file. Re-run when the upstream document changes:
 *   npx tsx test/fake-provider/openapi/extract.ts openai <openapi.json|yaml> <commit>
 *   npx tsx test/fake-provider/openapi/extract.ts together <openapi.yaml> <commit>
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const targets = {
  openai: {
    repo: 'openai/openai-openapi',
    file: 'openapi.json',
    schemas: ['CreateChatCompletionRequest', 'CreateChatCompletionResponse', 'CreateChatCompletionStreamResponse', 'CreateFileRequest', 'OpenAIFile', 'CreateBatchRequest', 'Batch'],
    /** Schemas written inline in a path, given a name here. */
    inline: {} as Record<string, string[]>,
  },
  together: {
    repo: 'togethercomputer/openapi',
    file: 'openapi.yaml',
    schemas: ['ChatCompletionRequest', 'ChatCompletionResponse', 'ChatCompletionChunk', 'FileResponse', 'CreateBatchRequest', 'BatchJobWithWarning', 'BatchJob'],
    inline: { FilesUploadRequest: ['paths', '/files/upload', 'post', 'requestBody', 'content', 'multipart/form-data', 'schema'] } as Record<string, string[]>,
  },
};

const PROSE = new Set(['description', 'example', 'examples', 'title', 'deprecated', 'externalDocs']);

function strip(value: Json): Json {
  if (Array.isArray(value)) return value.map(strip);
  if (value === null || typeof value !== 'object') return value;
  const out: { [key: string]: Json } = {};
  for (const [key, inner] of Object.entries(value)) {
    if (PROSE.has(key) || key.startsWith('x-')) continue;
    out[key] = key === 'properties' ? Object.fromEntries(Object.entries(inner as Record<string, Json>).map(([name, schema]) => [name, strip(schema)])) : strip(inner);
  }
  return out;
}

function collectRefs(value: Json, found: Set<string>, all: Record<string, Json>): void {
  if (Array.isArray(value)) return value.forEach((item) => collectRefs(item, found, all));
  if (value === null || typeof value !== 'object') return;
  for (const [key, inner] of Object.entries(value)) {
    if (key === '$ref' && typeof inner === 'string' && inner.startsWith('#/components/schemas/')) {
      const name = inner.slice('#/components/schemas/'.length);
      if (!found.has(name)) {
        found.add(name);
        collectRefs(all[name]!, found, all);
      }
    } else collectRefs(inner, found, all);
  }
}

const [provider, documentPath, commit] = process.argv.slice(2) as [keyof typeof targets, string, string];
const target = targets[provider];
const text = readFileSync(documentPath, 'utf8');
const document = (documentPath.endsWith('.json') ? JSON.parse(text) : parse(text)) as { components: { schemas: Record<string, Json> } } & Record<string, Json>;
const all = document.components.schemas;
const schemas: Record<string, Json> = {};
for (const [name, pointer] of Object.entries(target.inline)) all[name] = pointer.reduce<Json>((node, key) => (node as Record<string, Json>)[key]!, document as unknown as Json);
const found = new Set<string>([...target.schemas, ...Object.keys(target.inline)]);
for (const name of [...found]) collectRefs(all[name]!, found, all);
for (const name of [...found].sort()) schemas[name] = strip(all[name]!);
const fixture = {
  source: { repo: target.repo, file: target.file, commit, extracted_by: 'test/fake-provider/openapi/extract.ts', roots: [...target.schemas, ...Object.keys(target.inline)] },
  components: { schemas },
};
writeFileSync(join(import.meta.dirname, `${provider}.json`), `${JSON.stringify(fixture, null, 1)}\n`);
console.log(`${provider}: ${found.size} schemas`);
