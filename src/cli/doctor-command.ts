import type { Command } from 'commander';
import { loadTask } from '../config/load.js';
import { doctorTable, type DoctorCheck } from './doctor/doctor-check.js';
import { diskChecks, engineChecks, hardwareChecks } from './doctor/machine-checks.js';
import { endpointChecks, keyChecks } from './doctor/task-checks.js';

/** Every check, in table order: keys, endpoints (with a config), engines, hardware, disk. */
export async function runDoctor(configPath: string | undefined, environment: NodeJS.ProcessEnv, timeoutMs: number): Promise<DoctorCheck[]> {
  const config = configPath === undefined ? undefined : loadTask(configPath).config;
  return [
    ...keyChecks(config, environment),
    ...(config ? await endpointChecks(config, environment, timeoutMs) : []),
    ...engineChecks(environment),
    ...hardwareChecks(environment),
    ...diskChecks(),
  ];
}

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('what this machine can do for the task: API keys (names only), engines, GPU and memory, disk, reachable endpoints; with what to do about each missing piece')
    .argument('[config]', 'task config: check its keys and endpoints too')
    .option('--json', 'the checks as JSON')
    .option('--timeout-ms <ms>', 'per-endpoint timeout for GET /models', '5000')
    .action(async (config: string | undefined, options: { json?: boolean; timeoutMs: string }) => {
      const checks = await runDoctor(config, process.env, Number(options.timeoutMs));
      process.stdout.write(options.json ? `${JSON.stringify(checks, null, 2)}\n` : doctorTable(checks));
      // Missing keys or unreachable endpoints the task needs make a non-zero exit, for scripts.
      if (checks.some((check) => check.status === 'missing' && (check.area === 'keys' || check.area === 'endpoints'))) process.exitCode = 1;
    });
}
