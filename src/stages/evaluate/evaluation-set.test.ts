import { dirname } from 'node:path';
import { afterEach, expect, it, vi } from 'vitest';
import { startFakeProvider, type ChatRequest, type FakeProvider } from '../../../test/fake-provider/index.js';
import { describeNeeding, sharedData } from '../../../test/helpers/needs.js';
import { useTempDir } from '../../../test/helpers/temp-dir.js';
import { openRun } from '../../pipeline/open-run.js';
import { stageHashes } from '../../pipeline/stage-hash.js';
import { decontaminateFilter } from '../curate/filters/decontaminate.js';
import { makeRecord } from '../curate/test-records.js';
import { evaluateConfigSchema } from './evaluate-config.js';
import { runEvaluateStage } from './evaluate-stage.js';
import { readEvaluationSet } from './evaluation-set.js';
import { fixedStudent } from './student-resolver.js';

const temp = useTempDir();
let provider: FakeProvider | undefined;
afterEach(async () => {
  await provider?.close();
  provider = undefined;
});

it('evaluate.data takes either a path or a dataset with its split', () => {
  const parse = (data: unknown) => evaluateConfigSchema.safeParse({ data, models: { student: { from: 'train' } }, metrics: ['gleu'] });
  expect(parse({ dataset: 'jfleg', split: 'test' }).success).toBe(true);
  expect(parse({ dataset: 'jfleg' }).error?.issues[0]?.message).toBe('a dataset needs a split');
  expect(parse({ dataset: 'jfleg', split: 'test', path: 'x.jsonl' }).error?.issues[0]?.message).toBe('give either path or dataset (with split)');
  expect(parse({ path: 'x.jsonl' }).error?.issues[0]?.message).toBe('the metrics need a references column');
});

describeNeeding('evaluation on JFLEG by name', sharedData('jfleg'), (jfleg) => {
  const environment = { DISTILLERY_DATA: dirname(jfleg) };

  it('reads the named split with its references, preprocessed like a file', async () => {
    const data = evaluateConfigSchema.parse({ data: { dataset: 'jfleg', split: 'test', limit: 3, preprocess: ['detokenize_punctuation'] }, models: { student: { from: 'train' } }, metrics: ['gleu'] }).data;
    const items = await readEvaluationSet({ dir: temp.path() }, data, { environment });
    expect(items.map((item) => item.id)).toEqual(['test-0', 'test-1', 'test-2']);
    expect(items[0]!.original.input).toBe('New and new technology has been introduced to the society .');
    expect(items[0]!.input).toBe('New and new technology has been introduced to the society.');
    expect(items[0]!.references).toHaveLength(4);
  });

  it('runs the evaluate stage on { dataset: jfleg, split: test }, and the stage hash follows the split', async () => {
    provider = await startFakeProvider({ answer: (request: ChatRequest) => String(request.messages.at(-1)?.content ?? '') });
    temp.write('inputs.jsonl', '{"input": "x"}\n');
    const config = temp.write(
      'task.yaml',
      `
name: jfleg-by-name
endpoints: { fake: { base_url: ${provider.url}, max_attempts: 1 } }
inputs: { path: inputs.jsonl }
teacher: { endpoint: fake, model: teacher-model }
evaluate:
  data: { dataset: jfleg, split: test, limit: 6 }
  models: { student: { endpoint: fake, model: student-model, stream: false } }
  metrics: [exact_match, gleu]
  corpus_bootstrap_samples: 5
`,
    );
    const run = openRun({ configPath: config, runDir: `${temp.path()}/run`, environment });
    try {
      const figures = await runEvaluateStage(run.context, fixedStudent('fake', 'student-model'));
      expect(figures).toMatchObject({ items: 6 });
      const asked = provider.state.requests.map((request) => (request.body as ChatRequest).messages.at(-1)?.content);
      expect(asked).toContain('New and new technology has been introduced to the society .');
      const test = stageHashes(run.context.task).evaluate;
      const evaluate = run.context.task.config.evaluate!;
      const dev = stageHashes({ dir: run.context.task.dir, config: { ...run.context.task.config, evaluate: { ...evaluate, data: { ...evaluate.data, split: 'dev' } } } }).evaluate;
      expect(dev).not.toBe(test);
    } finally {
      await run.close();
    }
  });

  it('decontaminates against { dataset: jfleg, split: test }', async () => {
    vi.stubEnv('DISTILLERY_DATA', environment.DISTILLERY_DATA);
    try {
      const filter = await decontaminateFilter.create(decontaminateFilter.options.parse({ against: { dataset: 'jfleg', split: 'test' } }), { configDirectory: temp.path() });
      const records = [makeRecord('copy', 'New and new technology has been introduced to the society .', 'x'), makeRecord('fresh', 'A sentence about trains.', 'x')];
      const result = await filter.apply(records, {});
      expect(result.kept.map((record) => record.id)).toEqual(['fresh']);
      expect(result.dropped[0]!.detail).toMatchObject({ match: 'exact', evaluation_index: 0 });
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
