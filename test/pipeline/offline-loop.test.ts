import { spawn } from 'node:child_process';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureVllmPython } from '../../src/engines/vllm-environment.js';
import { parse, stringify } from 'yaml';
import { describeNeeding, workerPython } from '../helpers/needs.js';
import { useTempDir } from '../helpers/temp-dir.js';
import { checkDashboardOverRun } from '../ui/real-run-checks.js';

const temp = useTempDir();
const ROOT = join(import.meta.dirname, '..', '..');
const EXAMPLE = join(ROOT, 'examples', 'offline-mini');

function take(file: string, count: number): string {
  return readFileSync(file, 'utf8').split('\n').filter((line) => line.trim() !== '').slice(0, count).join('\n') + '\n';
}

/**
 * The offline example in miniature, through the real CLI and the real worker: prepare (tiny models, a
 * teacher trained on gold labels), generate with the teacher served locally, curate, split, train the
 * student, evaluate student vs teacher vs untuned base, report. Smaller models and data than the example so
 * it fits in CI; the README's first command runs the full-size one.
 */
describeNeeding('the whole loop, offline, with the local worker', workerPython(), (python) => {
/** Once on the worker's transformers server, once on vLLM (its CPU build; the project installs it). */
describe.each(['transformers', 'vllm'] as const)('local models on %s', (engine) => {
  beforeAll(async () => {
    if (engine === 'vllm') await ensureVllmPython();
  }, 3_600_000);

  it('distils a small teacher into a smaller student and reports it', async () => {
    const dir = join(temp.path(), 'example');
    cpSync(EXAMPLE, dir, { recursive: true, filter: (source) => !source.includes(`${EXAMPLE}/models`) });
    writeFileSync(join(dir, 'data', 'inputs.jsonl'), take(join(EXAMPLE, 'data', 'inputs.jsonl'), 240));
    writeFileSync(join(dir, 'data', 'test.jsonl'), take(join(EXAMPLE, 'data', 'test.jsonl'), 48));
    const job = JSON.parse(readFileSync(join(dir, 'teacher-job.json'), 'utf8'));
    job.hyperparameters.epochs = 6;
    writeFileSync(join(dir, 'teacher-job.json'), JSON.stringify(job));
    const task = parse(readFileSync(join(dir, 'task.yaml'), 'utf8'));
    task.prepare[0].worker = task.prepare[0].worker.map((value: string) => (value === '256' ? '128' : value === '4' ? '2' : value));
    task.student.hyperparameters.epochs = 6;
    task.engine = engine;
    writeFileSync(join(dir, 'task.yaml'), stringify(task));
    const runDir = join(dir, 'run');

    const child = spawn(process.execPath, [join(ROOT, 'bin', 'distillery.js'), 'run', join(dir, 'task.yaml'), '--run-dir', runDir], {
      env: { ...process.env, DISTILLERY_WORKER_PYTHON: python },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, output.slice(-3000)).toBe(0);

    const report = JSON.parse(readFileSync(join(runDir, 'evaluate', 'report.json'), 'utf8'));
    const accuracy = (model: string): number => report.models[model].metrics.accuracy.value;
    expect(report.primary_metric).toBe('accuracy');
    expect(report.models.student.n).toBe(48);
    // The teacher learned the task from gold labels; the student learned it from the teacher alone.
    expect(accuracy('teacher')).toBeGreaterThan(0.7);
    expect(accuracy('student')).toBeGreaterThan(accuracy('base') + 0.3);
    expect(report.transfer_ratio.value).toBeCloseTo(accuracy('student') / accuracy('teacher'), 6);
    expect(report.models.student.latency_ms.p50).toBeGreaterThan(0);
    expect(['viable', 'marginal', 'not ready']).toContain(report.verdict.label);
    // The student never saw a gold label: its training rows are the teacher's answers.
    const outputs = readFileSync(join(runDir, 'generate', 'outputs.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    const train = readFileSync(join(runDir, 'split', 'train.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    const teacherAnswer = new Map(outputs.map((row: { input: string; output: string }) => [row.input, row.output]));
    for (const row of train) expect(row.messages[2].content).toBe(teacherAnswer.get(row.messages[1].content));
    // Every stage is recorded as done, and a second run does nothing.
    const again = spawn(process.execPath, [join(ROOT, 'bin', 'distillery.js'), 'run', join(dir, 'task.yaml'), '--run-dir', runDir], { env: { ...process.env, DISTILLERY_WORKER_PYTHON: python }, stdio: ['ignore', 'pipe', 'pipe'] });
    let second = '';
    again.stderr.on('data', (chunk) => (second += chunk));
    expect(await new Promise((resolve) => again.on('close', resolve))).toBe(0);
    expect(second).toContain('ran nothing');
    expect(second).toContain(`distillery ui --run-dir ${runDir}`);
    // The dashboard over this real run: every page answers, the verdict, the compression ids, one point per step.
    await checkDashboardOverRun(runDir);
    expect(existsSync(join(runDir, 'report.html'))).toBe(true);
    expect(existsSync(join(runDir, 'run.json'))).toBe(true);
    expect(output).toContain(`local models are served by ${engine === 'vllm' ? 'vLLM' : 'the worker'}`);
  }, 900_000);
});
});
