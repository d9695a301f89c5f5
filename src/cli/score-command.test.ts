import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useTempDir } from '../../test/helpers/temp-dir.js';
import { registerScore } from './score-command.js';

describe('distillery score', () => {
  const directory = useTempDir();
  afterEach(() => vi.restoreAllMocks());

  async function score(args: string[]): Promise<Record<string, unknown>> {
    const written: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (written.push(String(chunk)), true));
    const program = new Command().exitOverride();
    registerScore(program);
    await program.parseAsync(['node', 'distillery', 'score', ...args]);
    expect(written).toHaveLength(1);
    return JSON.parse(written[0]!) as Record<string, unknown>;
  }

  it('prints one JSON object: exact match over files', async () => {
    const reference = directory.write('ref0', 'He goes home .\nShe is here .\n');
    const hypothesis = directory.write('hyp', 'He goes home.\nShe are here.\n');
    const result = await score(['--metric', 'exact', '--references', reference, '--hypothesis', hypothesis]);
    expect(result).toMatchObject({ metric: 'exact', score: 0.5, matches: 1, total: 2, lines: 2 });
  });

  it('GLEU of a perfect hypothesis with two references, tokenized like JFLEG', async () => {
    const sources = directory.write('src', 'He go home .\n');
    const reference0 = directory.write('ref0', 'He goes home .\n');
    const reference1 = directory.write('ref1', 'He goes home .\n');
    const hypothesis = directory.write('hyp', 'He goes home.\n');
    const result = await score(['--metric', 'gleu', '--sources', sources, '--references', reference0, reference1, '--hypothesis', hypothesis, '--tokenize', 'jfleg']);
    expect(result).toMatchObject({ metric: 'gleu', score: 1, references: 2, lines: 1 });
  });

  it('rejects an unknown metric', async () => {
    await expect(score(['--metric', 'meteor', '--references', 'r', '--hypothesis', 'h'])).rejects.toThrow(/metric/);
  });
});
