import { HttpError, jsonObjectBody, notFound, requiredString, sendJson } from './http.js';
import { makeId, unixSeconds } from './ids.js';
import { StatusProgression } from './status-progression.js';
import type { ProviderRuntime, Route } from './types.js';

/**
 * Nebius custom models (docs.studio.nebius.com / docs.tokenfactory.nebius.com, "Create a custom model"):
 * `POST /v0/models {name, base_model, source, description?}` with `source` `"<job_id>:<checkpoint_id>"` answers
 * `{name, base_model, source, description, created_at, status: "validating"}`, where `name` is
 * `<base model without -fast>-LoRa:<name>-<4 letters>`; statuses are validating, active, error, deleted.
 * `GET /v0/models/{name}` (name URL-encoded or raw) advances validating → active; an active model is served
 * by chat completions. The GET route's exact path is our reading of the API, not checked against a live server.
 */
export interface CustomModelRecord {
  object: { name: string; base_model: string; source: string; description: string | null; created_at: number; status: string };
  progression: StatusProgression<string>;
}

export function nebiusModelRoutes(runtime: ProviderRuntime): Route[] {
  const { state } = runtime;
  return [
    {
      method: 'POST',
      pattern: /^\/v0\/models$/,
      handle(ctx) {
        const body = jsonObjectBody(ctx);
        const name = requiredString(body, 'name');
        const baseModel = requiredString(body, 'base_model');
        const source = requiredString(body, 'source');
        const [jobId = '', checkpointId = ''] = source.split(':');
        const job = state.fineTuningJobs.get(jobId);
        if (job === undefined || !job.checkpoints.some((checkpoint) => checkpoint.id === checkpointId)) {
          throw new HttpError(400, `Source '${source}' is not a checkpoint of a fine-tuning job.`, 'invalid_request_error', 'invalid_value', 'source');
        }
        const fullName = `${baseModel.replace(/-fast$/, '')}-LoRa:${name}-${makeId('', 4).toLowerCase()}`;
        const record: CustomModelRecord = {
          object: {
            name: fullName,
            base_model: baseModel,
            source,
            description: typeof body.description === 'string' ? body.description : null,
            created_at: unixSeconds(),
            status: 'validating',
          },
          progression: new StatusProgression(['validating', 'active'], runtime.behaviour().fineTuning.pollsPerStatus),
        };
        state.customModels.set(fullName, record);
        sendJson(ctx, 200, record.object);
      },
    },
    {
      method: 'GET',
      pattern: /^\/v0\/models\/(.+)$/,
      handle(ctx, [encoded = '']) {
        const name = decodeURIComponent(encoded);
        const record = state.customModels.get(name);
        if (record === undefined) throw notFound('model', name);
        for (const status of record.progression.poll()) {
          record.object.status = status;
          if (status === 'active') state.servedModels.add(name);
        }
        sendJson(ctx, 200, record.object);
      },
    },
  ];
}
