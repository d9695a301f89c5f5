import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTask } from '../../src/config/load.js';
import { runPipeline } from '../../src/pipeline/run-pipeline.js';
import { stageHashes } from '../../src/pipeline/stage-hash.js';
import { stageRunners } from '../../src/pipeline/stage-runners.js';
import { useFakeProvider } from '../helpers/fake-provider-fixture.js';
import { useTempDir } from '../helpers/temp-dir.js';
import { sentences, writeTask, type TaskFixture } from '../helpers/task-fixture.js';

const temp = useTempDir();
const fake = useFakeProvider();
const noLocalModels = { alias: () => undefined };

/** A task whose teacher prompt and decontamination set are files beside the config. */
function fileTask(): TaskFixture {
  temp.write('prompts/system.txt', 'Correct the grammar.\n');
  temp.write('eval-inputs.txt', 'a sentence nobody will send\n');
  return writeTask(temp.path(), fake().url, sentences(6), {
    teacher: { system: 'prompts/system.txt' },
    sections: { curate: [{ decontaminate: { against: 'eval-inputs.txt' } }], split: { validation: 1, seed: 1 } },
  });
}

async function runAll(task: TaskFixture) {
  const run = task.open();
  try {
    return await runPipeline(run.context, stageRunners(run.context, noLocalModels));
  } finally {
    await run.close();
  }
}

const chatRequests = () => fake().state.requests.filter((request) => request.path === '/v1/chat/completions').length;

describe('stage hashes over file content', () => {
  it('an unchanged prompt file runs nothing and sends nothing', async () => {
    const task = fileTask();
    expect((await runAll(task)).ran).toEqual(['inputs', 'generate', 'curate', 'split']);
    const sent = chatRequests();
    expect(sent).toBe(6);
    expect((await runAll(task)).ran).toEqual([]);
    expect(chatRequests()).toBe(sent);
  }, 30_000);

  it('an edited teacher prompt file re-runs generate and every stage after it, and asks the teacher again', async () => {
    const task = fileTask();
    await runAll(task);
    // Same length, so neither size nor the path can tell the edit apart.
    writeFileSync(join(task.dir, 'prompts/system.txt'), 'Correct the spelling.\n'.slice(0, 'Correct the grammar.\n'.length));
    expect((await runAll(task)).ran).toEqual(['generate', 'curate', 'split']);
    expect(chatRequests()).toBe(12);
  }, 30_000);

  it('an edited decontamination file re-runs curate and split only; an edited inputs file re-runs everything', async () => {
    const task = fileTask();
    await runAll(task);
    writeFileSync(join(task.dir, 'eval-inputs.txt'), 'this sentence number 0 have an error\n');
    const curated = await runAll(task);
    expect(curated.ran).toEqual(['curate', 'split']);
    expect(chatRequests()).toBe(6);
    writeFileSync(join(task.dir, 'inputs.jsonl'), sentences(6).map((row) => JSON.stringify({ ...row, input: `${row.input}!` })).join('\n') + '\n');
    expect((await runAll(task)).ran).toEqual(['inputs', 'generate', 'curate', 'split']);
  }, 30_000);

  it("the teacher endpoint's flavor counts for generate (it shapes the bodies sent), and nothing before it", () => {
    const base = fileTask();
    const config = loadTask(base.configPath).config;
    const endpoint = config.endpoints[config.teacher!.endpoint]!;
    const withFlavor = (flavor: 'openai' | 'vllm') => stageHashes({ dir: base.dir, config: { ...config, endpoints: { ...config.endpoints, [config.teacher!.endpoint]: { ...endpoint, flavor } } } });
    // `openai` drops continue_final_message (the assistant prefix), `vllm` sends it: other answers.
    expect(withFlavor('openai').generate).not.toBe(withFlavor('vllm').generate);
    expect(withFlavor('openai').inputs).toBe(withFlavor('vllm').inputs);
  });

  it('counts what a file holds, not where it is', () => {
    const one = temp.write('a/prompt.txt', 'Be brief.');
    const other = temp.write('b/prompt.txt', 'Be brief.');
    const base = fileTask();
    const config = loadTask(base.configPath).config;
    const at = (system: string) => stageHashes({ dir: base.dir, config: { ...config, teacher: { ...config.teacher!, system } } }).generate;
    expect(at(one)).toBe(at(other));
    expect(at(one)).not.toBe(at('Be brief.'));
  });

  it('an edited evaluation set or judge prompt changes the evaluate hash and nothing before it', () => {
    temp.write('data/test.jsonl', '{"input": "a", "ref": "A"}\n');
    temp.write('prompts/judge.txt', 'Is {prediction} right for {input}?');
    const task = writeTask(temp.path(), 'http://127.0.0.1:9/v1', sentences(1), {
      sections: {
        student: { base: 'tiny' },
        evaluate: { data: { path: 'data/test.jsonl', references: 'ref' }, models: { student: { from: 'train' } }, metrics: ['reference_match_then_judge'], judge: { endpoint: 'fake', model: 'judge', prompt: 'prompts/judge.txt' } },
      },
    });
    const hashes = () => stageHashes(loadTask(task.configPath));
    const before = hashes();
    writeFileSync(join(task.dir, 'data/test.jsonl'), '{"input": "a", "ref": "B"}\n');
    const afterData = hashes();
    writeFileSync(join(task.dir, 'prompts/judge.txt'), 'Is {prediction} correct for {input}?');
    const afterJudge = hashes();
    expect(afterData.train).toBe(before.train);
    expect(afterData.evaluate).not.toBe(before.evaluate);
    expect(afterJudge.train).toBe(before.train);
    expect(afterJudge.evaluate).not.toBe(afterData.evaluate);
  });
});
