import { join } from 'node:path';
import { ensureVllmPython } from '../../../engines/vllm-environment.js';
import { startVllmServer } from '../../../engines/vllm.js';
import type { LossSettings } from '../student-settings.js';

/** The served name of an on-policy teacher; the worker finds URL, key and name in its environment (teacher_client.py). */
const SERVED_NAME = 'teacher';

export interface TeacherServer {
  /** Variables for the worker process (the key stays out of the job file). */
  environment: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * `loss.type: on_policy` with `teacher: served`: the teacher on vLLM (127.0.0.1, a fresh API key), scoring the
 * student's samples through `/v1/completions` with `prompt_logprobs`. No LoRA on this server: vLLM crashes when
 * batched prompt_logprobs meet LoRA (src/engines/vllm.ts). Undefined for every other loss.
 */
export async function startTeacherServer(loss: LossSettings, options: { trainDir: string; environment: NodeJS.ProcessEnv; say: (message: string) => void }): Promise<TeacherServer | undefined> {
  if (loss.type !== 'on_policy' || loss.teacher !== 'served') return undefined;
  const python = await ensureVllmPython({ environment: options.environment, log: options.say });
  const model = loss.teacher_model!;
  options.say(`starting the on-policy teacher ${model} on vLLM`);
  const server = await startVllmServer({ python, model, servedName: SERVED_NAME, logFile: join(options.trainDir, 'teacher-vllm.log'), environment: options.environment });
  return {
    environment: { DISTILLERY_TEACHER_URL: server.url, DISTILLERY_TEACHER_API_KEY: server.apiKey, DISTILLERY_TEACHER_MODEL: SERVED_NAME },
    stop: () => server.stop(),
  };
}
