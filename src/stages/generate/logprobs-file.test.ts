import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataError } from '../../errors.js';
import type { ParsedLogprobs } from '../../llm/logprobs.js';
import { decodeLogprobsRow, encodeLogprobsRow, readLogprobsFile, type LogprobsRow } from './logprobs-file.js';

/** One row as the generate stage writes it (TeacherLogprobs.writeFile). */
const appendLogprobsRow = (path: string, row: LogprobsRow): void => appendFileSync(path, `${JSON.stringify(encodeLogprobsRow(row))}\n`);

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'logprobs-'));
  dirs.push(dir);
  return join(dir, 'logprobs.jsonl');
}

// Values a server sends: float32 log-probs printed as doubles, ragged top-k, unicode and whitespace tokens.
const text: ParsedLogprobs = {
  tokenKind: 'text',
  positions: [
    { token: 'Hé', logprob: -0.3132616877555847, top: [{ token: 'Hé', logprob: -0.3132616877555847 }, { token: ' \n', logprob: -1.7 }, { token: '"', logprob: -9999 }] },
    { token: '<|im_end|>', logprob: -0.0000123, top: [{ token: '<|im_end|>', logprob: -0.0000123 }] },
  ],
};
const ids: ParsedLogprobs = {
  tokenKind: 'id',
  positions: [
    { token: 785, logprob: null, top: [] },
    { token: 374, logprob: -0.25, top: [{ token: 374, logprob: -0.25 }, { token: 572, logprob: -2.000001 }] },
  ],
};
const asFloat32 = (logprobs: ParsedLogprobs): ParsedLogprobs => ({
  tokenKind: logprobs.tokenKind,
  positions: logprobs.positions.map((position) => ({
    token: position.token,
    logprob: position.logprob === null ? null : Math.fround(position.logprob),
    top: position.top.map((item) => ({ token: item.token, logprob: Math.fround(item.logprob) })),
  })),
});

describe('logprobs file', () => {
  it('stores and reloads rows exactly (as float32), padding short top-k lists', async () => {
    const path = tempFile();
    appendLogprobsRow(path, { id: 'a', logprobs: text });
    appendLogprobsRow(path, { id: 'b', logprobs: ids });
    const rows = await readLogprobsFile(path);
    expect(rows.get('a')).toEqual(asFloat32(text));
    expect(rows.get('b')).toEqual(asFloat32(ids));
    // Float32 values go through a second write and read bit for bit.
    const again = tempFile();
    appendLogprobsRow(again, { id: 'a', logprobs: rows.get('a')! });
    appendLogprobsRow(again, { id: 'b', logprobs: rows.get('b')! });
    expect(readFileSync(again, 'utf8')).toBe(readFileSync(path, 'utf8'));
  });

  it('states k and stores log-probs as base64 float32', () => {
    const encoded = encodeLogprobsRow({ id: 'a', logprobs: text });
    expect(encoded.k).toBe(3);
    const top = Buffer.from(encoded.top_logprobs as string, 'base64');
    expect(top.length).toBe(2 * 3 * 4);
    expect(top.readFloatLE(4 * 4)).toBe(-Infinity); // second position, second slot: padding
  });

  it('keeps the last row of an id that was answered twice', async () => {
    const path = tempFile();
    appendLogprobsRow(path, { id: 'a', logprobs: ids });
    appendLogprobsRow(path, { id: 'a', logprobs: text });
    expect((await readLogprobsFile(path)).get('a')?.tokenKind).toBe('text');
  });

  it('rejects damaged rows with file and line', async () => {
    const good = encodeLogprobsRow({ id: 'a', logprobs: text });
    const path = tempFile();
    writeFileSync(path, `${JSON.stringify(good)}\n${JSON.stringify({ ...good, top_logprobs: 'AAAA' })}\n`);
    await expect(readLogprobsFile(path)).rejects.toThrow(`${path}:2: log-prob arrays do not hold 2 positions × k = 3`);
    expect(() => decodeLogprobsRow({ ...good, top_tokens: [[1, 2], ['x']] }, 'f', 1)).toThrow(/mixes token ids and token text/);
    expect(() => decodeLogprobsRow({ ...good, extra: 1 }, 'f', 1)).toThrow(DataError);
  });
});
