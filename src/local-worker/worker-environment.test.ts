import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '../../test/helpers/temp-dir.js';
import { ensureWorkerPython, environmentDirectory, installedWorkerPython, INSTALLED_MARKER, WorkerEnvironmentError, type CommandRunner } from './worker-environment.js';

const temp = useTempDir();

/** A runner that "creates" the venv's python and records every command instead of installing anything. */
function recordingRunner(commands: string[][], options: { failOn?: string; delayMs?: number } = {}): CommandRunner {
  return async (command, args) => {
    commands.push([command, ...args]);
    await new Promise((resolve) => setTimeout(resolve, options.delayMs ?? 0));
    if (options.failOn !== undefined && args.includes(options.failOn)) throw new WorkerEnvironmentError(`${command} failed`);
    if (args[0] === '-m' && args[1] === 'venv') {
      mkdirSync(join(args[2]!, 'bin'), { recursive: true });
      writeFileSync(join(args[2]!, 'bin', 'python'), '');
    }
  };
}

function requirements(content = 'torch==2.15.0\n'): string {
  return temp.write('requirements.txt', content);
}

describe('worker environment', () => {
  it('is keyed by the hash of requirements.txt', () => {
    const root = temp.path();
    const first = environmentDirectory({ cacheRoot: root, requirementsPath: requirements('torch==1\n') });
    expect(first).toMatch(/worker-[0-9a-f]{12}$/);
    expect(environmentDirectory({ cacheRoot: root, requirementsPath: requirements('torch==1\n') })).toBe(first);
    expect(environmentDirectory({ cacheRoot: root, requirementsPath: requirements('torch==2\n') })).not.toBe(first);
  });

  it('uses DISTILLERY_WORKER_PYTHON, then student.python, as is', async () => {
    const runCommand = recordingRunner([]);
    const options = { cacheRoot: temp.path(), requirementsPath: requirements(), runCommand };
    expect(await ensureWorkerPython({ ...options, environment: { DISTILLERY_WORKER_PYTHON: '/opt/py' }, configuredPython: '/cfg/py' })).toBe('/opt/py');
    expect(await ensureWorkerPython({ ...options, environment: {}, configuredPython: '/cfg/py' })).toBe('/cfg/py');
    expect(installedWorkerPython({ ...options, environment: {} })).toBeUndefined();
  });

  it('installs once, says why it takes time, and writes the marker only after success', async () => {
    const commands: string[][] = [];
    const lines: string[] = [];
    const options = { cacheRoot: temp.path(), requirementsPath: requirements(), environment: {}, log: (line: string) => lines.push(line) };
    await expect(ensureWorkerPython({ ...options, runCommand: recordingRunner(commands, { failOn: '-r' }) })).rejects.toThrow(WorkerEnvironmentError);
    const directory = environmentDirectory(options);
    expect(existsSync(join(directory, INSTALLED_MARKER))).toBe(false);
    expect(existsSync(`${directory}.lock`)).toBe(false);

    commands.length = 0;
    const python = await ensureWorkerPython({ ...options, runCommand: recordingRunner(commands) });
    expect(python).toBe(join(directory, 'bin', 'python'));
    expect(commands).toEqual([
      ['python3', '-m', 'venv', directory],
      [python, '-m', 'pip', 'install', '--upgrade', 'pip'],
      [python, '-m', 'pip', 'install', '-r', options.requirementsPath],
    ]);
    expect(lines.join('\n')).toMatch(/several GB/);
    expect(JSON.parse(readFileSync(join(directory, INSTALLED_MARKER), 'utf8'))).toMatchObject({ requirements: options.requirementsPath });
    expect(installedWorkerPython(options)).toBe(python);
    await ensureWorkerPython({ ...options, runCommand: recordingRunner(commands) });
    expect(commands).toHaveLength(3);
  });

  it('lets only one of two concurrent callers install; the other waits on the lock', async () => {
    const commands: string[][] = [];
    const lines: string[] = [];
    const options = { cacheRoot: temp.path(), requirementsPath: requirements(), environment: {}, log: (line: string) => lines.push(line), runCommand: recordingRunner(commands, { delayMs: 150 }) };
    const [first, second] = await Promise.all([ensureWorkerPython(options), ensureWorkerPython(options)]);
    expect(first).toBe(second);
    expect(commands.filter((command) => command.includes('venv'))).toHaveLength(1);
    expect(lines.some((line) => line.includes('Another process is installing'))).toBe(true);
  });

  it('takes over a lock whose owner process is gone', async () => {
    const commands: string[][] = [];
    const options = { cacheRoot: temp.path(), requirementsPath: requirements(), environment: {}, log: () => undefined, runCommand: recordingRunner(commands) };
    const directory = environmentDirectory(options);
    writeFileSync(`${directory}.lock`, '2147483646');
    await ensureWorkerPython(options);
    expect(commands).toHaveLength(3);
  });
});
