import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../errors.js';
import { makeRecord } from '../test-records.js';
import { validateJson } from './json-schema-subset.js';
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

describe('validateJson', () => {
  it('reports paths of violations', () => {
    const schema = JSON.parse(SCHEMA);
    expect(validateJson({ label: 'pos', spans: [1, 2] }, schema)).toEqual([]);
    expect(validateJson({ spans: [1, 'x'], extra: 1 }, schema)).toEqual([
      '$: missing required property "label"',
      '$.spans[1]: expected integer, got string',
      '$: unexpected property "extra"',
    ]);
    expect(validateJson(3, { type: 'number' })).toEqual([]);
    expect(validateJson(null, { type: ['string', 'null'] })).toEqual([]);
  });
});

describe('verify', () => {
  it('parses outputs as JSON (fences allowed) and validates the schema', async () => {
    const result = await verify({ json_schema: 'answer.json' }, ['{"label":"pos"}', '```json\n{"label":"neg","spans":[3]}\n```', '{"label":"meh"}', 'not json'], {
      'answer.json': SCHEMA,
    });
    expect(result.kept.map((record) => record.id)).toEqual(['0', '1']);
    expect(result.dropped.map((entry) => (entry.detail as { message: string }).message)).toEqual([
      '$.label: "meh" is not one of ["pos","neg"]',
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
  });
});
