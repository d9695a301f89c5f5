import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../errors.js';
import { makeRecord } from '../test-records.js';
import { compileJsonSchema } from './json-schema-check.js';
import { verifyFilter } from './verify.js';

async function verify(options: unknown, outputs: string[], files: Record<string, string> = {}) {
  const directory = await mkdtemp(join(tmpdir(), 'verify-'));
  for (const [name, content] of Object.entries(files)) await writeFile(join(directory, name), content);
  const filter = await verifyFilter.create(verifyFilter.options.parse(options), { configDirectory: directory });
  const records = outputs.map((output, index) => makeRecord(String(index), 'q', output));
  return filter.apply(records, {});
}

const SCHEMA = JSON.stringify({
  type: 'object',
  properties: { label: { enum: ['pos', 'neg'] }, spans: { type: 'array', items: { type: 'integer' } } },
  required: ['label'],
  additionalProperties: false,
});

describe('compileJsonSchema (ajv)', () => {
  it('reports paths of violations', () => {
    const check = compileJsonSchema(JSON.parse(SCHEMA));
    expect(check({ label: 'pos', spans: [1, 2] })).toEqual([]);
    expect(check({ spans: [1, 'x'], extra: 1 })).toEqual([
      "$: must have required property 'label'",
      '$: must NOT have additional properties "extra"',
      '$.spans[1]: must be integer',
    ]);
    expect(compileJsonSchema({ type: 'number' })(3)).toEqual([]);
    expect(compileJsonSchema({ type: ['string', 'null'] })(null)).toEqual([]);
  });

  it('checks pattern, minimum, oneOf and $ref (the hand-written subset ignored them)', () => {
    const check = compileJsonSchema({
      $defs: { span: { type: 'object', properties: { start: { type: 'integer', minimum: 0 }, end: { type: 'integer', minimum: 0 } }, required: ['start', 'end'] } },
      type: 'object',
      properties: {
        code: { type: 'string', pattern: '^[A-Z]{3}-\\d+$' },
        span: { $ref: '#/$defs/span' },
        value: { oneOf: [{ type: 'string' }, { type: 'number', minimum: 1 }] },
      },
    });
    expect(check({ code: 'ABC-12', span: { start: 0, end: 4 }, value: 3 })).toEqual([]);
    expect(check({ code: 'abc-12' })).toEqual(['$.code: must match pattern "^[A-Z]{3}-\\d+$"']);
    expect(check({ span: { start: -1, end: 4 } })).toEqual(['$.span.start: must be >= 0']);
    expect(check({ span: { start: 1 } })).toEqual(["$.span: must have required property 'end'"]);
    expect(check({ value: 0 })).toContainEqual('$.value: must match exactly one schema in oneOf');
    expect(compileJsonSchema({ $schema: 'https://json-schema.org/draft/2020-12/schema', prefixItems: [{ type: 'string' }] })([1])).toEqual(['$[0]: must be string']);
  });

  it('refuses a schema that is not one', () => {
    expect(() => compileJsonSchema({ type: 'strin' })).toThrow(/type/);
    expect(() => compileJsonSchema([])).toThrow(/object/);
  });
});

describe('verify', () => {
  it('parses outputs as JSON (fences allowed) and validates the schema', async () => {
    const result = await verify({ json_schema: 'answer.json' }, ['{"label":"pos"}', '```json\n{"label":"neg","spans":[3]}\n```', '{"label":"meh"}', 'not json'], {
      'answer.json': SCHEMA,
    });
    expect(result.kept.map((record) => record.id)).toEqual(['0', '1']);
    expect(result.dropped.map((entry) => (entry.detail as { message: string }).message)).toEqual([
      '$.label: must be equal to one of the allowed values ["pos","neg"]',
      expect.stringMatching(/^not JSON/),
    ]);
  });

  it('checks regex and labels', async () => {
    expect((await verify({ regex: '^-?\\d+$' }, ['42', ' 7 ', '4 2'])).kept).toHaveLength(2);
    expect((await verify({ labels: ['Yes', 'No'], case_sensitive: false }, ['yes', 'NO', 'maybe'])).kept).toHaveLength(2);
  });

  it('runs a user module; false, a string or a throw drops with the message', async () => {
    const module = `export default async (record) => {
      if (record.output === 'boom') throw new Error('kaboom');
      if (record.output === 'bad') return 'looks bad';
      return record.output !== 'no';
    };`;
    const result = await verify({ module: './check.mjs' }, ['ok', 'no', 'bad', 'boom'], { 'check.mjs': module });
    expect(result.kept.map((record) => record.id)).toEqual(['0']);
    expect(result.dropped.map((entry) => entry.detail)).toEqual([
      { check: 'module', message: 'returned false' },
      { check: 'module', message: 'looks bad' },
      { check: 'module', message: 'threw: kaboom' },
    ]);
  });

  it('rejects a module without a default function, and a missing schema file', async () => {
    await expect(verify({ module: './check.mjs' }, [], { 'check.mjs': 'export const x = 1;' })).rejects.toThrow(ConfigError);
    await expect(verify({ json_schema: 'missing.json' }, [])).rejects.toThrow(/cannot read/);
    await expect(verify({ json_schema: 'bad.json' }, [], { 'bad.json': '{"type": "object", "properties": {"a": {"minimum": "zero"}}}' })).rejects.toThrow(/bad\.json is not a usable JSON Schema: .*minimum/);
  });
});
