import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeProvider, type FakeProvider, type FakeProviderOptions } from '../fake-provider/index.js';
import { seededRandom } from '../fake-provider/seeded-random.js';
import type { RecordedRequest } from '../fake-provider/types.js';
import { useTempDir } from '../helpers/temp-dir.js';
import { sentences, writeTask, type TaskFixture } from '../helpers/task-fixture.js';

/**
 * THE kill test: a real `distillery generate` child process, talking to the fake provider in this process
 * (with 429s, 5xx and dropped connections), is killed with SIGKILL at seeded random instants, then run to
 * the end. Its outputs must equal an uninterrupted run's byte for byte, and the answers paid twice must be
 * no more than the requests that could be in flight at the kills (concurrency per kill).
 */
const temp = useTempDir();
const BIN = join(import.meta.dirname, '..', '..', 'bin', 'distillery.js');
const SEED = Number(process.env.KILL_TEST_SEED ?? 20261129);
const providers: FakeProvider[] = [];
afterEach(async () => {
  for (const provider of providers.splice(0)) await provider.close();
});

async function provider(options: FakeProviderOptions): Promise<FakeProvider> {
  const started = await startFakeProvider({ apiKey: 'sk-test-secret', ...options });
  providers.push(started);
  return started;
}

const faults: FakeProviderOptions['faults'] = [
  { match: { rate: 0.04, seed: 1 }, kind: '429', retryAfterMs: 20 },
  { match: { rate: 0.03, seed: 2 }, kind: '500' },
  { match: { rate: 0.02, seed: 3 }, kind: '502' },
  { match: { rate: 0.02, seed: 4 }, kind: 'drop-before-response' },
  { match: { rate: 0.02, seed: 5 }, kind: 'drop-mid-response' },
];

function generate(task: TaskFixture) {
  return spawn(process.execPath, [BIN, 'generate', task.configPath, '--run-dir', task.runDir], {
    env: { ...process.env, FAKE_API_KEY: 'sk-test-secret' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

async function runToEnd(task: TaskFixture): Promise<{ code: number | null; stderr: string }> {
  const child = generate(task);
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, stderr };
}

/**
 * Starts a run and SIGKILLs it `delayMs` after `from`: its start, or the first request it sends (so that
 * a kill lands while it works, whatever its start-up costs on a loaded machine). Resolves with the instant.
 */
async function killAfter(task: TaskFixture, fake: FakeProvider, run: number, from: 'start' | 'first-request', delayMs: number): Promise<number> {
  const child = generate(task);
  let exited = false;
  const closed = new Promise((resolve) => child.on('close', resolve)).then(() => (exited = true));
  if (from === 'first-request') {
    const sent = () => fake.state.requests.some((request) => request.headers['x-kill-test-run'] === String(run));
    while (!sent() && !exited) await new Promise((resolve) => setTimeout(resolve, 2));
  }
  await new Promise((resolve) => setTimeout(resolve, delayMs));
  const at = Date.now();
  child.kill('SIGKILL');
  await closed;
  return at;
}

/** The prompt a request was made for: the last user message (answers are a function of it). */
const promptOf = (request: RecordedRequest): string => {
  const body = request.body as { messages?: { role: string; content: string }[]; max_tokens?: number };
  return `${body.max_tokens}:${body.messages?.at(-1)?.content}`;
};

/** Answers the provider delivered whole (and so charged for): 200 chat completions, and batch output lines. */
function paidAnswers(fake: FakeProvider): string[] {
  const paid = fake.state.requests.filter((request) => request.path === '/v1/chat/completions' && request.status === 200 && request.delivered).map(promptOf);
  for (const batch of fake.state.batches.values()) {
    const outputId = batch.object.output_file_id;
    if (outputId === null) continue;
    const output = fake.state.files.get(outputId)!.content.toString('utf8').trim().split('\n');
    const byId = new Map(batch.lines.map((line) => [line.custom_id, line.body as RecordedRequest['body']]));
    for (const line of output) paid.push(promptOf({ body: byId.get((JSON.parse(line) as { custom_id: string }).custom_id) } as RecordedRequest));
  }
  return paid;
}

function repeats(paid: string[]): number {
  const counts = new Map<string, number>();
  for (const prompt of paid) counts.set(prompt, (counts.get(prompt) ?? 0) + 1);
  let repeated = 0;
  for (const count of counts.values()) repeated += count - 1;
  return repeated;
}

/**
 * Chat answers the provider delivered more than once, charged to the kill that ended the run which sent the
 * first of them. Each run sends its number in a header (`x-kill-test-run`, from the endpoint's headers), so
 * a request that reaches the provider after its sender was killed is still its sender's. Sent again by the
 * same run (no kill in between) is counted apart.
 */
function repeatsPerKill(fake: FakeProvider, kills: number): { perKill: number[]; sameRun: number } {
  const runOf = (request: RecordedRequest): number => Number(request.headers['x-kill-test-run']);
  // A repeat is charged to the kill of the run that last paid for that prompt: its kill lost the answer. (An
  // answer lost by two kills in a row is one repeat for each, never two for the first.)
  const lastRun = new Map<string, number>();
  const perKill = Array.from({ length: kills }, () => 0);
  let sameRun = 0;
  const paid = fake.state.requests.filter((request) => request.path === '/v1/chat/completions' && request.status === 200 && request.delivered);
  for (const request of paid.sort((left, right) => runOf(left) - runOf(right) || left.time - right.time)) {
    const prompt = promptOf(request);
    const last = lastRun.get(prompt);
    const run = runOf(request);
    if (last !== undefined && run > last) perKill[last]!++;
    else if (last !== undefined) sameRun++;
    lastRun.set(prompt, run);
  }
  return { perKill, sameRun };
}

const outputsOf = (task: TaskFixture): string => readFileSync(join(task.runDir, 'generate', 'outputs.jsonl'), 'utf8');

interface Scenario {
  name: string;
  kills: number;
  inputs: number;
  concurrency: number;
  teacher: Record<string, unknown>;
  provider: FakeProviderOptions;
}

const scenarios: Scenario[] = [
  { name: 'sync', kills: 12, inputs: 400, concurrency: 16, teacher: {}, provider: { latencyMs: 40, faults } },
  {
    name: 'batch',
    kills: 10,
    inputs: 200,
    concurrency: 8,
    // Stragglers of failed lines go through sync mode, with the same faults.
    teacher: { mode: 'batch', poll_interval: 0.05, batch_sync_stragglers: 20 },
    provider: { latencyMs: 20, faults, batch: { pollsPerStatus: 4, lineFailure: (line) => (line.index % 17 === 3 ? { status_code: 500, message: 'transient' } : undefined) } },
  },
];

describe('generate killed with SIGKILL at random instants', () => {
  it.each(scenarios)('$name: outputs equal an uninterrupted run, repeats ≤ requests in flight at the kills', async (scenario) => {
    const random = seededRandom(SEED + scenario.kills);
    const teacher = { concurrency: scenario.concurrency, ...scenario.teacher };

    // The uninterrupted run: the expected file, and how long the sending phase takes.
    const referenceFake = await provider(scenario.provider);
    // A client timeout well above any stall of a loaded machine: a timed-out request is paid twice by design.
    const endpoint = { timeout_s: 60 };
    const reference = writeTask(join(temp.path(), 'reference'), referenceFake.url, sentences(scenario.inputs), { teacher, endpoint });
    const startedAt = Date.now();
    const clean = await runToEnd(reference);
    expect(clean.code, clean.stderr).toBe(0);
    const total = Date.now() - startedAt;
    const firstRequest = Math.min(...referenceFake.state.requests.map((request) => request.time)) - startedAt;
    expect(repeats(paidAnswers(referenceFake))).toBe(0);

    // The killed runs, against a fresh provider with the same behaviour.
    const fake = await provider(scenario.provider);
    // Each run names itself in a header (not part of any request hash), so its requests are told apart.
    const taskForRun = (run: number) => writeTask(join(temp.path(), 'killed'), fake.url, sentences(scenario.inputs), { teacher, endpoint: { ...endpoint, headers: { 'x-kill-test-run': String(run) } } });
    let task = taskForRun(0);
    const instants: string[] = [];
    let inFlightAtKills = 0;
    const working = total - firstRequest;
    for (let kill = 0; kill < scenario.kills; kill++) {
      // Most kills land while the run works: after its first request, each a random share of the working
      // phase, together about all of it. Every fourth is timed from the start, so it may land in start-up.
      const fromStart = kill % 4 === 3;
      const share = (2 * working) / scenario.kills;
      const delay = Math.round(random() * (fromStart ? firstRequest + share : share));
      instants.push(`${delay}${fromStart ? 's' : 'r'}`);
      task = taskForRun(kill);
      const at = await killAfter(task, fake, kill, fromStart ? 'start' : 'first-request', delay);
      // As the provider saw it: chat requests received and not answered yet at the kill.
      inFlightAtKills += fake.state.requests.filter((request) => request.path === '/v1/chat/completions' && request.time <= at && (request.doneTime ?? Infinity) > at).length;
      if (existsSync(join(task.runDir, 'generate', 'outputs.jsonl'))) {
        for (const line of outputsOf(task).split('\n').filter((text) => text !== '')) JSON.parse(line); // never torn
      }
    }
    task = taskForRun(scenario.kills);
    const finished = await runToEnd(task);
    expect(finished.code, finished.stderr).toBe(0);

    const text = outputsOf(task);
    for (const line of text.trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
    expect(text).toBe(outputsOf(reference));
    const paid = paidAnswers(fake);
    const repeated = repeats(paid);
    const bound = scenario.kills * scenario.concurrency;
    console.log(
      `kill test (${scenario.name}, seed ${SEED}): ${scenario.kills} kills at ${instants.join(', ')} ms (r: after the run's first request, s: after its start); ` +
        `${fake.state.requests.length} requests, ${paid.length} paid answers for ${scenario.inputs} inputs, ${repeated} repeated ` +
        `(${inFlightAtKills} chat requests in flight at the kills as the provider saw them; bound ${bound} = concurrency × kills); ` +
        `uninterrupted run ${total} ms, ${referenceFake.state.requests.length} requests`,
    );
    expect(repeated).toBeLessThanOrEqual(bound);
    // Per kill: no kill may cost more than the requests one run can have in flight.
    const { perKill, sameRun } = repeatsPerKill(fake, scenario.kills);
    console.log(`  chat answers paid again, by kill: ${perKill.join(', ')}; by the same run (a client timeout): ${sameRun}`);
    for (const count of perKill) expect(count).toBeLessThanOrEqual(scenario.concurrency);

    // Finished: run again, nothing is sent and the file is unchanged.
    const before = fake.state.requests.filter((request) => request.path === '/v1/chat/completions' || (request.path === '/v1/batches' && request.method === 'POST')).length;
    const again = await runToEnd(task);
    expect(again.code, again.stderr).toBe(0);
    expect(fake.state.requests.filter((request) => request.path === '/v1/chat/completions' || (request.path === '/v1/batches' && request.method === 'POST')).length).toBe(before);
    expect(outputsOf(task)).toBe(text);
  }, 180_000);
});
