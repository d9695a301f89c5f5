import { z } from 'zod';
import { ConfigError } from '../../../errors.js';
import type { HttpClient } from '../../../llm/http-client.js';
import type { StudentConfig } from '../student-settings.js';
import type { HostedFlavor } from './hosted-hyperparameters.js';

const modelListSchema = z.object({ data: z.array(z.object({ id: z.string() })) });

/**
 * What must hold before any money is spent on a job, per provider: a config error throws, a doubtful setting
 * comes back as a warning. Nebius: a LoRA is deployed on the base's *inference* id (`student.deploy_base`,
 * default `base`), which must be a model the endpoint serves — fine-tuning and inference ids differ
 * (`meta-llama/Meta-Llama-3.1-8B-Instruct` trains, `meta-llama/Llama-3.1-8B-Instruct` serves).
 */
export async function checkBeforeTraining(options: { flavor: HostedFlavor; student: StudentConfig; values: Record<string, unknown>; http: HttpClient; file: string }): Promise<string[]> {
  const { flavor, student, values, file } = options;
  const warnings: string[] = [];
  if (flavor === 'together') {
    if (student.method === 'qlora') throw new ConfigError(`${file}: student.method: Together trains lora or full, not qlora`, file, 'student.method');
    const checkpoints = typeof values.n_checkpoints === 'number' ? values.n_checkpoints : 1;
    if (student.checkpoint === 'best_valid_loss' && checkpoints <= 1) {
      warnings.push('student.checkpoint best_valid_loss: Together saves one checkpoint unless told more; set student.hyperparameters.n_checkpoints above 1 (e.g. the epoch count) or only the final model can be chosen');
    }
    warnings.push(
      student.method === 'full'
        ? 'Together serves a full fine-tune only from a dedicated endpoint: create one for the output model before evaluating or serving it'
        : 'Together serves LoRA fine-tunes of some base models serverless; for other bases the output model answers only from a dedicated endpoint',
    );
  }
  if (flavor === 'nebius' && values.lora === true) {
    const deployBase = student.deploy_base ?? student.base;
    const served = (await options.http.json('GET', '/models', modelListSchema)).data.data.map((model) => model.id);
    if (!served.includes(deployBase)) {
      throw new ConfigError(
        `${file}: student.deploy_base: the endpoint serves no model '${deployBase}', so a LoRA trained on it could not be deployed; set student.deploy_base to the base's inference id (fine-tuning and inference ids differ, e.g. meta-llama/Meta-Llama-3.1-8B-Instruct trains, meta-llama/Llama-3.1-8B-Instruct serves)`,
        file,
        'student.deploy_base',
      );
    }
  }
  return warnings;
}
