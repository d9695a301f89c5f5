import { findOr404, HttpError, jsonObjectBody, requiredString, sendJson } from './http.js';
import { makeId, unixSeconds } from './ids.js';
import { StatusProgression } from './status-progression.js';
import type { ProviderRuntime, Route } from './types.js';

/**
 * Nebius custom models (docs.studio.nebius.com / docs.tokenfactory.nebius.com, "Create a custom model"):
 * `POST /v0/models {name, base_model, source, description?}` with `source` `"<job_id>:<checkpoint_id>"` answers
 * `{name, base_model, source, description, created_at, status: "validating"}`, where `name` is
 * `<base model without -fast>-LoRa:<name>-<4 letters>`; statuses are validating, active, error, deleted, with
 * `status_reason` saying why on error. `base_model` is an *inference* id: when `models` is set (the models the
 * endpoint serves), any other base is refused with 400, as a fine-tuning id that is not served would be.
 * `GET /v0/models/{vendor}/{name}` (the slash raw, other characters encoded or not) advances validating → active
 * (or → error with `fineTuning.deployOutcome: 'error'`); an active model is served by chat completions.
 * The GET route's exact path is our reading of the API, not checked against a live server.
 */
export interface CustomModelRecord {
  object: { name: string; base_model: string; source: string; description: string | null; created_at: number; status: string; status_reason: string | null };
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
        const served = runtime.behaviour().models;
        if (served !== undefined && !served.includes(baseModel)) {
          throw new HttpError(400, `Base model '${baseModel}' is not available for LoRA deployment.`, 'invalid_request_error', 'invalid_value', 'base_model');
        }
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
            status_reason: null,
          },
          progression: new StatusProgression(['validating', runtime.behaviour().fineTuning.deployOutcome ?? 'active'], runtime.behaviour().fineTuning.pollsPerStatus),
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
        const record = findOr404(state.customModels, name, 'model');
        for (const status of record.progression.poll()) {
          record.object.status = status;
          if (status === 'active') state.servedModels.add(name);
          if (status === 'error') record.object.status_reason = 'Adapter rank exceeds the maximum supported for this base model (configured failure).';
        }
        sendJson(ctx, 200, record.object);
      },
    },
  ];
}
