import { spawn } from 'node:child_process';
import { DistilleryError } from '../errors.js';

export class EngineProcessError extends DistilleryError {}

/**
 * Runs a Python program of an engine to its end and resolves with its stdout; a failure carries the last
 * lines it wrote (the converter's or loader's own message is what the user needs to see).
 */
export function runPython(python: string, args: string[], options: { environment?: NodeJS.ProcessEnv; log?: (line: string) => void; what: string }): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, args, { env: { ...(options.environment ?? process.env), PYTHONUNBUFFERED: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    const recent: string[] = [];
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) {
        if (line.trim() === '') continue;
        options.log?.(line);
        recent.push(line);
        if (recent.length > 30) recent.shift();
      }
    });
    child.once('error', (error) => reject(new EngineProcessError(`${options.what}: cannot run ${python}: ${error.message}`, { cause: error })));
    child.once('close', (code, signal) => {
      if (code === 0) resolve(stdout);
      else reject(new EngineProcessError(`${options.what} failed (${signal ?? `exit ${code}`}):\n${recent.join('\n')}`));
    });
  });
}

/** The JSON a Python program printed as its last stdout line (libraries may print before it). */
export function lastJsonLine(stdout: string): unknown {
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '');
}
