import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeProvider, type FakeProvider } from '../../../test/fake-provider/index.js';
import { useTempDir } from '../../../test/helpers/temp-dir.js';
import { readJsonlTolerant } from '../../data/jsonl.js';
import { openRun } from '../../pipeline/open-run.js';
import { evaluationReportSchema } from '../../report/evaluation-report-schema.js';
import { runEvaluateStage } from './evaluate-stage.js';
import { predictionRecordSchema } from './prediction-record.js';
import { EvaluationFailedError } from './request-failures.js';
import { fixedStudent } from './student-resolver.js';

/** Ten items the fake answers by upper-casing; the references are the upper-cased inputs, so every answer matches. */
describe('evaluation with failed requests', () => {
  const directory = useTempDir();
  let provider: FakeProvider | undefined;
  afterEach(async () => provider?.close());

  async function evaluate(maxErrorRate: number | undefined): Promise<ReturnType<typeof runEvaluateStage>> {
    directory.write('data/test.jsonl', `${Array.from({ length: 10 }, (_, k) => JSON.stringify({ id: `item-${k}`, input: `item ${k} text`, ref: `ITEM ${k} TEXT` })).join('\n')}\n`);
    directory.write('inputs.jsonl', '{"input": "x"}\n');
    const config = directory.write(
      'task.yaml',
      `
name: failures
endpoints: { fake: { base_url: ${provider!.url}, max_attempts: 1 } }
inputs: { path: inputs.jsonl }
teacher: { endpoint: fake, model: teacher-model }
evaluate:
  data: { path: data/test.jsonl, references: ref }
  models: { student: { from: train }, teacher: { from: teacher } }
  metrics: [exact_match]
${maxErrorRate === undefined ? '' : `  max_error_rate: ${maxErrorRate}`}
`,
    );
    const run = openRun({ configPath: config, runDir: `${directory.path()}/run` });
    try {
      return await runEvaluateStage(run.context, fixedStudent('fake', 'student-model'));
    } finally {
      await run.close();
    }
  }

  // The student's request for item 3 fails for good (500, one attempt).
  const failStudentItem3 = { faults: [{ match: { predicate: (request: { bodyText: string }) => request.bodyText.includes('student-model') && request.bodyText.includes('item 3 text') }, kind: '500' as const }] };

  it('reports a failed request as an error and leaves its item out of every score, not as a wrong empty answer', async () => {
    provider = await startFakeProvider(failStudentItem3);
    const figures = await evaluate(0.2);
    const report = evaluationReportSchema.parse(JSON.parse(readFileSync(`${directory.path()}/run/evaluate/report.json`, 'utf8')));
    // 9 scored items, all right: an empty prediction scored as wrong would give 0.9.
    expect(report.models.student!.metrics.exact_match!.value).toBe(1);
    expect(report.models.teacher!.metrics.exact_match!.value).toBe(1);
    expect(report.models.student).toMatchObject({ n: 10, failed: 1 });
    expect(report.models.teacher).toMatchObject({ n: 10, failed: 0 });
    expect(report.request_errors).toEqual([{ model: 'student', id: 'item-3', error: expect.stringContaining('500') }]);
    expect(report.notes).toContainEqual(expect.stringContaining('1 of 10 items are left out of every score because a request failed (student 1)'));
    expect(figures.student).toBe(1);
    const predictions = readJsonlTolerant(`${directory.path()}/run/evaluate/predictions.jsonl`).map((line) => predictionRecordSchema.parse(line));
    expect(predictions).toHaveLength(20);
    expect(predictions.filter((row) => row.error !== null).map((row) => row.id)).toEqual(['item-3']);
  });

  it('scores an empty answer as the model\'s (wrong) prediction, not as a failed request', async () => {
    provider = await startFakeProvider({
      answer: (request) => {
        const text = JSON.stringify(request.messages);
        return text.includes('item 3 text') && request.model === 'student-model' ? '' : String(request.messages.at(-1)?.content ?? '').toUpperCase();
      },
    });
    await evaluate(undefined);
    const report = evaluationReportSchema.parse(JSON.parse(readFileSync(`${directory.path()}/run/evaluate/report.json`, 'utf8')));
    expect(report.request_errors).toEqual([]);
    expect(report.models.student).toMatchObject({ n: 10, failed: 0 });
    expect(report.models.student!.metrics.exact_match!.value).toBeCloseTo(0.9, 6);
    const asked = provider.state.requests.filter((request) => request.path.endsWith('/chat/completions') && JSON.stringify(request.body).includes('item 3 text') && JSON.stringify(request.body).includes('student-model'));
    expect(asked).toHaveLength(1); // taken as the answer, not retried
  });

  it('stops when no item is left to score, whatever max_error_rate allows', async () => {
    provider = await startFakeProvider({ faults: [{ match: { predicate: (request: { bodyText: string }) => request.bodyText.includes('student-model') }, kind: '500' as const }] });
    await expect(evaluate(1)).rejects.toThrow(/no item was answered by every model \(10 requests failed/);
  });

  it('stops above max_error_rate (default 2%), says why, and a second run resends only the failed request', async () => {
    provider = await startFakeProvider(failStudentItem3);
    const failure = evaluate(undefined);
    await expect(failure).rejects.toThrow(EvaluationFailedError);
    await expect(failure).rejects.toThrow(/max_error_rate \(2%\)[\s\S]*student: 1 of 10 requests failed \(10%\), e\.g\. .*500/);
    const chatsBefore = provider.state.requests.filter((request) => request.path.endsWith('/chat/completions')).length;

    provider.setBehaviour({ faults: [] });
    await evaluate(undefined);
    const resent = provider.state.requests.filter((request) => request.path.endsWith('/chat/completions')).slice(chatsBefore);
    expect(resent).toHaveLength(1);
    const report = evaluationReportSchema.parse(JSON.parse(readFileSync(`${directory.path()}/run/evaluate/report.json`, 'utf8')));
    expect(report.request_errors).toEqual([]);
    expect(report.models.student).toMatchObject({ n: 10, failed: 0 });
  });
});
