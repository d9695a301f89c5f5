import { httpClientFor } from '../../../llm/endpoint.js';
import type { TrainingContext } from '../trainer.js';
import type { TrainingRecorder } from '../training-recorder.js';
import type { FineTuningApi, HostedCheckpoint, HostedJob } from './hosted-job.js';
import { deployNebiusCheckpoint, nebiusModelsBaseUrl } from './nebius-deployment.js';
import type { StoredJob } from './stored-job.js';

export interface ServedModelOptions {
  context: TrainingContext;
  api: FineTuningApi;
  job: HostedJob;
  stored: StoredJob;
  checkpoint: HostedCheckpoint | undefined;
  isLast: boolean;
  recorder: TrainingRecorder;
  pollMs: number;
}

/**
 * The model name that calls the chosen checkpoint. OpenAI: the job's model, or the checkpoint's own name.
 * Nebius: a custom model made from the checkpoint (once per job; the name is stored). Together: the job's
 * output model (it serves no intermediate checkpoint, which is said).
 */
export async function servedModelFor(options: ServedModelOptions): Promise<string | null> {
  const { context, api, job, checkpoint, recorder } = options;
  if (api.flavor === 'nebius') {
    if (options.stored.detail.served_model !== undefined) return options.stored.detail.served_model;
    if (checkpoint === undefined) return null;
    const { stage, settings } = context;
    const endpointName = settings.student.endpoint!;
    const endpoint = stage.task.config.endpoints[endpointName]!;
    const modelsApi = httpClientFor(endpointName, { ...endpoint, base_url: nebiusModelsBaseUrl(endpoint.base_url) }, stage.environment, undefined, { signal: stage.signal });
    const served = await deployNebiusCheckpoint(
      modelsApi,
      { name: settings.student.suffix ?? slug(stage.task.config.name), baseModel: settings.student.deploy_base ?? settings.student.base, jobId: job.id, checkpointId: checkpoint.id },
      {
        pollMs: options.pollMs,
        signal: stage.signal,
        onStatus: (status) => recorder.record({ kind: 'message', level: 'info', message: `custom model ${status}` }),
        existing: options.stored.detail.deploying_model,
        onCreated: (name) => options.stored.update({ deploying_model: name }),
      },
    );
    options.stored.update({ served_model: served });
    return served;
  }
  if (options.isLast || checkpoint === undefined) return job.outputModel;
  if (checkpoint.servedModel !== null) return checkpoint.servedModel;
  recorder.record({ kind: 'message', level: 'warn', message: `${api.flavor} serves only the final model; checkpoint at step ${checkpoint.step} was chosen but ${job.outputModel} is what will be called` });
  return job.outputModel;
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'student';
}
