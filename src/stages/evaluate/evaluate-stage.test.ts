import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeProvider, type ChatRequest, type FakeProvider } from '../../../test/fake-provider/index.js';
import { useTempDir } from '../../../test/helpers/temp-dir.js';
import { readJsonlTolerant } from '../../data/jsonl.js';
import { openRun } from '../../pipeline/open-run.js';
import { evaluationReportSchema } from '../../report/evaluation-report-schema.js';
import { runEvaluateStage } from './evaluate-stage.js';
import { corpusGleu } from './metrics/gleu.js';
import { tokenizeLikeJfleg } from './metrics/jfleg-tokenization.js';
import { predictionRecordSchema } from './prediction-record.js';
import { fixedStudent } from './student-resolver.js';

/**
 * Ten items "sentence k have a error ." → "sentence k has an error ." (JFLEG-style tokenized, detokenized for the
 * models). Scripted models: the teacher is always right (after a <think> block); the student is right on 0–7,
 * says "contains an error" on 8 (judged valid) and leaves 9 unchanged; the baseline is right on 0–4 and writes
 * "the error" on 5–9 (judged invalid, except 5 whose verdict is unreadable); the base echoes the input except on 8.
 */
const TEACHER_DELAY_MS = 400;
const natural = (k: number) => `sentence ${k} has an error.`;
const input = (k: number) => `sentence ${k} have a error.`;

function answer(request: ChatRequest): string | Promise<string> {
  const users = request.messages.filter((message) => message.role === 'user');
  const text = String(users[users.length - 1]?.content ?? '').replace(/ \/no_think$/, '');
  if (request.model === 'judge-model') return judge(text);
  const k = Number(/sentence (\d+)/.exec(text)?.[1]);
  switch (request.model) {
    case 'teacher-model':
      return new Promise((resolve) => setTimeout(() => resolve(`<think>Subject-verb agreement.</think>\n${natural(k)}`), TEACHER_DELAY_MS));
    case 'student-model':
      return k === 8 ? 'sentence 8 contains an error.' : k === 9 ? input(9) : natural(k);
    case 'baseline-model':
      return k < 5 ? natural(k) : `sentence ${k} has the error.`;
    default:
      return k === 8 ? 'sentence 8 contains an error.' : input(k);
  }
}

function judge(prompt: string): string {
  if (prompt.includes('Answer A:')) {
    const first = /Answer A:\n(.*)\n/.exec(prompt)?.[1] ?? '';
    return `<think>compare</think>${first.includes('has an error') ? 'A' : 'B'}`;
  }
  if (prompt.includes('sentence 5 has the error.')) return 'Hmm, hard to say.';
  return prompt.includes('contains an error') ? 'Verdict: VALID' : 'INVALID';
}

describe('runEvaluateStage against the fake provider', () => {
  const directory = useTempDir();
  let provider: FakeProvider | undefined;
  afterEach(async () => provider?.close());

  it('writes predictions, judgments and a report.json whose numbers can be checked by hand', async () => {
    provider = await startFakeProvider({ answer });
    const data = Array.from({ length: 10 }, (_, k) => JSON.stringify({ id: `item-${k}`, sentence: `sentence ${k} have a error .`, corrections: [`sentence ${k} has an error .`, `sentence ${k} has an error .`] }));
    directory.write('data/test.jsonl', `${data.join('\n')}\n`);
    directory.write('inputs.jsonl', '{"input": "x"}\n');
    const config = directory.write('task.yaml', `
name: evaluation-test
endpoints: { fake: { base_url: ${provider.url}, max_attempts: 1, flavor: vllm } }
prices: { student-model: { input: 1, output: 2 }, teacher-model: { input: 10, output: 20 } }
inputs: { path: inputs.jsonl }
teacher: { endpoint: fake, model: teacher-model, system: Fix grammar., few_shot: [{ input: "he go", output: "he goes" }] }
student: { base: tiny, system: Correct the grammar., assistant_prefix: "<think>\\n\\n</think>\\n\\n" }
evaluate:
  data: { path: data/test.jsonl, input: sentence, references: corrections, preprocess: [detokenize_punctuation], stratify: [length_bucket] }
  models:
    student: { from: train }
    teacher: { from: teacher }
    baseline: { endpoint: fake, model: baseline-model }
    base: { endpoint: fake, model: base-model, no_think: true, stream: false }
  metrics: [exact_match, reference_match_then_judge, gleu]
  primary_metric: reference_match_then_judge
  tokenize_for_gleu: jfleg
  judge: { endpoint: fake, model: judge-model }
  pairwise: { against: teacher, sample: 10, both_orders: 10 }
  concurrency: 4
  corpus_bootstrap_samples: 20
`);
    const runDir = `${directory.path()}/run`;
    const run = openRun({ configPath: config, runDir });
    let figures;
    let ledger;
    try {
      figures = await runEvaluateStage(run.context, fixedStudent('fake', 'student-model'));
      ledger = run.context.state.ledger();
    } finally {
      await run.close();
    }
    const report = evaluationReportSchema.parse(JSON.parse(readFileSync(`${runDir}/evaluate/report.json`, 'utf8')));
    const metric = (model: string, name: string) => report.models[model]!.metrics[name]!.value;

    expect([metric('teacher', 'exact_match'), metric('student', 'exact_match'), metric('baseline', 'exact_match'), metric('base', 'exact_match')]).toEqual([1, 0.8, 0.5, 0]);
    expect([metric('teacher', 'reference_match_then_judge'), metric('student', 'reference_match_then_judge'), metric('baseline', 'reference_match_then_judge'), metric('base', 'reference_match_then_judge')]).toEqual([1, 0.9, 0.5, 0.1]);
    // Wilson 95% for 9/10.
    const studentJudge = report.models.student!.metrics.reference_match_then_judge!;
    expect(studentJudge.ci95![0]).toBeCloseTo(0.5958, 3);
    expect(studentJudge.ci95![1]).toBeCloseTo(0.9821, 3);
    expect(studentJudge.ci95_normal![1]).toBeCloseTo(0.9 + 1.959964 * Math.sqrt(0.09 / 10), 4);
    // 40 predictions: 23 match a reference, 10 are the unchanged input, 1 duplicates another model's; 6 judged.
    expect(report.judge_calls).toEqual({ needed: 6, saved: 34, by_reference_match: 23, by_unchanged_input: 10, by_empty_output: 0, by_deduplication: 1 });
    expect(report.unparsable_verdicts).toEqual([{ input: input(5), prediction: 'sentence 5 has the error.', reply: 'Hmm, hard to say.', error: null }]);
    expect(report.transfer_ratio?.value).toBeCloseTo(0.9, 10);
    const versusTeacher = report.comparisons.find((comparison) => comparison.metric === 'reference_match_then_judge' && comparison.against === 'teacher')!;
    expect(versusTeacher.difference).toBeCloseTo(-0.1, 10);
    expect(versusTeacher.mcnemar).toMatchObject({ only_model: 0, only_against: 1 });
    expect(report.error_analysis).toEqual({
      basis: 'reference_match_then_judge', student_errors: 1, inherited: 0, compression: 1, student_only_correct: 0,
      ids: { inherited: [], compression: ['item-9'], student_only_correct: [] },
    });
    // 8 identical answers are ties without a call; the judge prefers the teacher on 8 and 9, in both orders.
    expect(report.pairwise).toMatchObject({ against: 'teacher', n: 10, wins: 0, ties: 8, losses: 2, position_bias: { pairs: 2, consistent: 2 } });
    expect(report.pairwise!.position_bias.first_position_rate!.value).toBe(0.5);
    // A 10-point drop is the marginal boundary, whatever the speed-up.
    expect(report.verdict.label).toBe('marginal');
    expect(report.verdict.reason).toContain('drop 10.0 points');
    expect(report.speedup.teacher).toBeGreaterThan(2);
    expect(report.strata.length_bucket).toEqual({ '1-10': expect.objectContaining({ n: 10 }) });

    // GLEU: the teacher's outputs PTB-tokenized, scored against the references as written.
    const sources = Array.from({ length: 10 }, (_, k) => `sentence ${k} have a error .`);
    const references = Array.from({ length: 10 }, (_, k) => `sentence ${k} has an error .`);
    const expectedGleu = corpusGleu(sources, [references, references], Array.from({ length: 10 }, (_, k) => tokenizeLikeJfleg(natural(k)))).mean;
    expect(metric('teacher', 'gleu')).toBeCloseTo(expectedGleu, 12);
    expect(tokenizeLikeJfleg(natural(3))).toBe('sentence 3 has an error .');

    const predictions = readJsonlTolerant(`${runDir}/evaluate/predictions.jsonl`).map((line) => predictionRecordSchema.parse(line));
    expect(predictions).toHaveLength(40);
    const teacherRows = predictions.filter((row) => row.model === 'teacher');
    expect(teacherRows[0]).toMatchObject({ output: natural(0), reasoning: 'Subject-verb agreement.', cached: false });
    expect(teacherRows.every((row) => row.latency_ms! >= TEACHER_DELAY_MS - 5 && row.time_to_first_token_ms !== null)).toBe(true);
    // Cost per 1k requests from the mean tokens and the price table.
    const mean = (rows: typeof predictions, pick: (row: (typeof predictions)[number]) => number) => rows.reduce((total, row) => total + pick(row), 0) / rows.length;
    const teacherCost = (mean(teacherRows, (row) => row.prompt_tokens) * 1000 * 10 + mean(teacherRows, (row) => row.completion_tokens) * 1000 * 20) / 1e6;
    expect(report.models.teacher!.cost_per_1k).toBeCloseTo(teacherCost, 12);
    expect(report.models.base!.priced).toBe(false);
    expect(report.notes.join('\n')).toMatch(/Prompt tokens per request: student \d+, teacher \d+ with 1 few-shot examples/);

    // The requests: the student continues its assistant prefix; the base asks with /no_think.
    const chats = provider.state.requests.filter((request) => request.path.endsWith('/chat/completions')).map((request) => request.body as ChatRequest);
    const studentRequest = chats.find((body) => body.model === 'student-model')!;
    expect(studentRequest.messages.at(-1)).toEqual({ role: 'assistant', content: '<think>\n\n</think>\n\n' });
    expect(studentRequest.continue_final_message).toBe(true);
    expect(String(chats.find((body) => body.model === 'base-model')!.messages.at(-1)!.content)).toMatch(/ \/no_think$/);
    expect(chats.filter((body) => body.model === 'judge-model')).toHaveLength(6 + 4);

    const judgments = readJsonlTolerant(`${runDir}/evaluate/judgments.jsonl`) as { kind: string }[];
    expect(judgments.filter((judgment) => judgment.kind === 'pairwise')).toHaveLength(20);
    expect(readFileSync(`${runDir}/report.html`, 'utf8')).toContain('marginal');
    // items.jsonl (the dashboard's item view): right/wrong per model agrees with the error analysis.
    const items = readJsonlTolerant(`${runDir}/evaluate/items.jsonl`) as { id: string; input: string; references: string[]; correct: Record<string, boolean> }[];
    expect(items.map((item) => item.id)).toEqual(Array.from({ length: 10 }, (_, k) => `item-${k}`));
    expect(items.filter((item) => !item.correct.student && item.correct.teacher).map((item) => item.id)).toEqual(report.error_analysis!.ids.compression);
    expect(items[0]).toMatchObject({ input: input(0), references: expect.any(Array), strata: { length_bucket: '1-10' } });
    expect(figures).toMatchObject({ items: 10, verdict: 'marginal', judge_calls: 6 });
    expect(ledger.map((entry) => entry.purpose).sort()).toEqual(['evaluate base', 'evaluate baseline', 'evaluate judge', 'evaluate student', 'evaluate teacher']);
    expect(ledger.find((entry) => entry.purpose === 'evaluate teacher')?.cost).toBeCloseTo(teacherCost / 100, 12);

    // A second run answers everything from the cache, keeping the recorded latencies.
    const requestsBefore = provider.state.requests.length;
    const again = openRun({ configPath: config, runDir });
    try {
      await runEvaluateStage(again.context, fixedStudent('fake', 'student-model'));
    } finally {
      await again.close();
    }
    expect(provider.state.requests.length).toBe(requestsBefore);
    const cachedRows = readJsonlTolerant(`${runDir}/evaluate/predictions.jsonl`).map((line) => predictionRecordSchema.parse(line));
    expect(cachedRows.every((row) => row.cached)).toBe(true);
    expect(cachedRows.filter((row) => row.model === 'teacher').every((row) => row.latency_ms! >= TEACHER_DELAY_MS - 5)).toBe(true);
  });
});
