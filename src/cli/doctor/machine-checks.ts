import { spawnSync } from 'node:child_process';
import { existsSync, statfsSync } from 'node:fs';
import { freemem, homedir, totalmem } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { environmentDirectory, installedWorkerPython } from '../../local-worker/worker-environment.js';
import type { DoctorCheck } from './doctor-check.js';

const GB = 1024 ** 3;
/** The worker environment (PyTorch with its CUDA libraries) measured about 7 GB; vLLM's needs as much again. */
const ENVIRONMENT_GB = 8;

/** A program on PATH, or undefined. */
export function onPath(program: string, environment: NodeJS.ProcessEnv): string | undefined {
  for (const folder of (environment.PATH ?? '').split(delimiter)) {
    if (folder !== '' && existsSync(join(folder, program))) return join(folder, program);
  }
  return undefined;
}

/** The worker's environment and the local engines: vLLM (in that environment or on PATH) and llama.cpp. */
export function engineChecks(environment: NodeJS.ProcessEnv): DoctorCheck[] {
  const checks: DoctorCheck[] = [];
  const python = installedWorkerPython({ environment });
  checks.push(
    python
      ? { area: 'engines', name: 'worker environment', status: 'ok', detail: python }
      : {
          area: 'engines',
          name: 'worker environment',
          status: 'missing',
          detail: `not created (${environmentDirectory()})`,
          fix: 'npx distillery worker python (creates it once: PyTorch, transformers, TRL, PEFT; several GB, minutes), or set DISTILLERY_WORKER_PYTHON',
        },
  );
  const vllmVersion = python ? moduleVersion(python, 'vllm') : undefined;
  const vllmBinary = onPath('vllm', environment);
  checks.push(
    vllmVersion || vllmBinary
      ? { area: 'engines', name: 'vllm', status: 'ok', detail: vllmVersion ? `vllm ${vllmVersion} in the worker environment` : vllmBinary! }
      : { area: 'engines', name: 'vllm', status: 'info', detail: 'not installed', fix: 'optional, for fast local serving on a GPU: pip install vllm (the worker\'s transformers server is used otherwise)' },
  );
  const llama = onPath('llama-server', environment) ?? onPath('llama-cli', environment);
  checks.push(
    llama
      ? { area: 'engines', name: 'llama.cpp', status: 'ok', detail: llama }
      : { area: 'engines', name: 'llama.cpp', status: 'info', detail: 'llama-server not on PATH', fix: 'optional, for GGUF checks and CPU serving: install llama.cpp (github.com/ggml-org/llama.cpp) and put llama-server on PATH' },
  );
  return checks;
}

function moduleVersion(python: string, module: string): string | undefined {
  const result = spawnSync(python, ['-c', `import importlib.metadata as m; print(m.version('${module}'))`], { encoding: 'utf8', timeout: 20_000 });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

/** GPUs through nvidia-smi, and memory. */
export function hardwareChecks(environment: NodeJS.ProcessEnv): DoctorCheck[] {
  const checks: DoctorCheck[] = [];
  const smi = onPath('nvidia-smi', environment);
  const result = smi ? spawnSync(smi, ['--query-gpu=name,memory.total', '--format=csv,noheader'], { encoding: 'utf8', timeout: 10_000 }) : undefined;
  const gpus = result?.status === 0 ? result.stdout.trim().split('\n').filter(Boolean) : [];
  checks.push(
    gpus.length > 0
      ? { area: 'hardware', name: 'GPU', status: 'ok', detail: gpus.join('; ') }
      : {
          area: 'hardware',
          name: 'GPU',
          status: 'warn',
          detail: smi ? `nvidia-smi failed: ${(result?.stderr ?? '').trim().split('\n')[0] || `exit ${result?.status}`}` : 'no NVIDIA GPU (nvidia-smi not found)',
          fix: 'local training and serving run on CPU (tiny models only): use student.trainer: hosted, or a machine with a GPU',
        },
  );
  const total = totalmem() / GB;
  checks.push({ area: 'hardware', name: 'memory', status: total < 8 ? 'warn' : 'ok', detail: `${total.toFixed(1)} GB total, ${(freemem() / GB).toFixed(1)} GB free`, ...(total < 8 ? { fix: 'local training of anything but tiny models needs more memory: use student.trainer: hosted' } : {}) });
  return checks;
}

/** Free space where the managed environments go (`~/.cache/distillery`). */
export function diskChecks(cacheRoot = join(homedir(), '.cache', 'distillery')): DoctorCheck[] {
  let folder = cacheRoot;
  while (!existsSync(folder) && dirname(folder) !== folder) folder = dirname(folder);
  const stats = statfsSync(folder);
  const free = (stats.bavail * stats.bsize) / GB;
  const enough = free >= 2 * ENVIRONMENT_GB;
  return [
    {
      area: 'disk',
      name: 'environments',
      status: enough ? 'ok' : 'warn',
      detail: `${free.toFixed(1)} GB free at ${folder}`,
      ...(enough ? {} : { fix: `the worker and vLLM environments take about ${ENVIRONMENT_GB} GB each: free space there, or point HOME elsewhere` }),
    },
  ];
}
