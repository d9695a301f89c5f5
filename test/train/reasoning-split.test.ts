import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ensureWorkerPython } from '../../src/local-worker/worker-environment.js';
import { runSplitStage } from '../../src/stages/split/split-stage.js';
import { runToEnd } from '../engines/tiny-models.js';
import { describeNeeding, sharedData } from '../helpers/needs.js';
import { useSuiteTempDir } from '../helpers/suite-temp-dir.js';
import { keptRows, openFixtureRun } from './run-fixture.js';

/**
 * split.include_reasoning end to end through the real worker: the split stage writes the trace as reasoning_content,
 * and the worker's `tokens` command (the student's tokenizer and chat template, a tiny model with Qwen3's real
 * template) counts the trace among the trained assistant tokens.
 */
const suiteDir = useSuiteTempDir();
const TRACE = 'the sentence needs a capital letter and a full stop at the end';

describeNeeding('include_reasoning through the worker', sharedData('chat-templates'), (templates) => {
  it('trains the trace: the assistant tokens grow by the trace tokens, the prompt tokens do not change', async () => {
    const python = await ensureWorkerPython();
    const root = join(suiteDir(), 'reasoning');
    mkdirSync(root, { recursive: true });
    writeFileSync(join(root, 'text.txt'), `${Array.from({ length: 200 }, (_, index) => `sentence number ${index} ${TRACE}`).join('\n')}\n`);
    const model = join(root, 'model');
    await runToEnd(python, ['-m', 'distillery_worker', 'make-tiny', '--out', model, '--text', join(root, 'text.txt'), '--layers', '1', '--hidden', '32', '--heads', '2', '--chat-template', join(templates, 'Qwen-Qwen3-0.6B.jinja')]);
    const rows = keptRows(4).map((row) => ({ ...row, reasoning: TRACE }));
    const stats = async (include: boolean) => {
      const dir = join(root, include ? 'with' : 'without');
      mkdirSync(dir, { recursive: true });
      const fixture = openFixtureRun(dir, { split: { validation: 1, seed: 1, include_reasoning: include }, student: { base: model, trainer: 'local' } }, rows, { environment: process.env });
      try {
        await runSplitStage(fixture.run.context);
      } finally {
        await fixture.run.close();
      }
      const written = JSON.parse(readFileSync(join(fixture.dir, 'split', 'stats.json'), 'utf8')) as { train: { tokenizer: { tokens: { total: number }; assistant_tokens: { total: number } } | null } };
      expect(written.train.tokenizer, 'the worker counted the tokens').not.toBeNull();
      return written.train.tokenizer!;
    };
    const [without, withTrace] = [await stats(false), await stats(true)];
    const traceTokens = withTrace.assistant_tokens.total - without.assistant_tokens.total;
    // Qwen3 renders an empty think block without a trace; with one, the trace's tokens join the trained span.
    expect(traceTokens).toBeGreaterThanOrEqual(3 * 5);
    expect(withTrace.tokens.total - without.tokens.total).toBe(traceTokens);
  }, 600_000);
});
