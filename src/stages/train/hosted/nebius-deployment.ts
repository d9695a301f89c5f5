import { z } from 'zod';
import { NotFoundError } from '../../../llm/errors.js';
import type { HttpClient } from '../../../llm/http-client.js';
import { sleep } from '../../../llm/retry.js';
import { FineTuningJobError } from '../training-errors.js';

const customModelSchema = z.object({ name: z.string(), status: z.string(), status_reason: z.string().nullable().optional() });

/** `/v0/models/{vendor}/{name}`: the model name's slash is part of the path, as Nebius documents it. */
export function customModelPath(name: string): string {
  return `/models/${name.split('/').map(encodeURIComponent).join('/')}`;
}

/** Nebius serves a base URL `…/v1`; its custom-model API lives beside it at `…/v0`. */
export function nebiusModelsBaseUrl(baseUrl: string): string {
  return new URL('../v0', baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`).toString().replace(/\/+$/, '');
}

/**
 * Makes a Nebius checkpoint callable: `POST /v0/models {name, base_model, source: "<job>:<checkpoint>"}` (`base_model`
 * is the base's *inference* id, which may differ from its fine-tuning id), then
 * polls the model until it is `active`. Returns the served model name (Nebius decorates the name given).
 */
export async function deployNebiusCheckpoint(
  http: HttpClient,
  request: { name: string; baseModel: string; jobId: string; checkpointId: string },
  options: { pollMs: number; signal: AbortSignal; onStatus?: (status: string) => void; existing?: string; onCreated?: (name: string) => void },
): Promise<string> {
  const body = { name: request.name, base_model: request.baseModel, source: `${request.jobId}:${request.checkpointId}` };
  // A model an earlier run created (and stopped polling) is polled, not created a second time.
  let model = options.existing === undefined ? undefined : await existingModel(http, options.existing);
  if (model === undefined) {
    model = (await http.json('POST', '/models', customModelSchema, body)).data;
    options.onCreated?.(model.name);
  }
  for (;;) {
    options.onStatus?.(model.status);
    if (model.status === 'active') return model.name;
    if (model.status === 'error' || model.status === 'deleted') {
      const reason = model.status_reason ? `: ${model.status_reason}` : ' (Nebius gave no status_reason)';
      throw new FineTuningJobError(`Nebius could not make checkpoint ${request.checkpointId} callable: model ${model.name} is ${model.status}${reason}`, request.jobId, model.status);
    }
    await sleep(options.pollMs, options.signal);
    model = (await http.json('GET', customModelPath(model.name), customModelSchema)).data;
  }
}

async function existingModel(http: HttpClient, name: string): Promise<z.infer<typeof customModelSchema> | undefined> {
  try {
    const model = (await http.json('GET', customModelPath(name), customModelSchema)).data;
    // One that failed or was deleted is tried again with a new model, as a first run would.
    return model.status === 'deleted' || model.status === 'error' ? undefined : model;
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}
