import { spawn } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import { resolvePath } from '../config/load.js';
import { DistilleryError } from '../errors.js';
import { workerDirectory } from '../local-worker/worker-location.js';
import type { StageContext } from '../stages/context.js';

export class PrepareError extends DistilleryError {}

/**
 * Runs the config's `prepare:` steps (worker commands such as make-tiny or training a local teacher) in the
 * config's folder. A step whose `creates` path exists is skipped, so a second run costs nothing.
 */
export async function runPrepareSteps(context: StageContext, python: () => Promise<string>): Promise<number> {
  let ran = 0;
  for (const step of context.task.config.prepare) {
    const creates = resolvePath(context.task, step.creates);
    if (existsSync(creates)) continue;
    const label = step.description ?? step.worker.join(' ');
    context.emit({ type: 'log', stage: 'prepare', level: 'info', message: `${label} (creates ${step.creates})` });
    const logFile = join(context.paths.root, 'prepare.log');
    const log = createWriteStream(logFile, { flags: 'a' });
    const recent: string[] = [];
    const child = spawn(await python(), ['-m', 'distillery_worker', ...step.worker], {
      cwd: context.task.dir,
      env: { ...context.environment, PYTHONPATH: workerDirectory(), PYTHONUNBUFFERED: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer): void => {
      log.write(chunk);
      recent.push(...chunk.toString('utf8').split('\n').filter((line) => line.trim() !== ''));
      recent.splice(0, Math.max(0, recent.length - 20));
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const onAbort = (): void => void child.kill('SIGTERM');
    context.signal.addEventListener('abort', onAbort, { once: true });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    context.signal.removeEventListener('abort', onAbort);
    log.end();
    if (code !== 0) throw new PrepareError(`prepare step '${label}' failed (exit ${code}); see ${logFile}\n${recent.join('\n')}`);
    if (!existsSync(creates)) throw new PrepareError(`prepare step '${label}' finished but did not create ${creates}`);
    ran++;
  }
  return ran;
}
