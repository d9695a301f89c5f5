/**
 * The one normalized model of a hosted fine-tuning job. Each provider flavour (OpenAI, Nebius, Together)
 * maps its own objects onto these; the hosted trainer sees nothing else.
 */
export type JobPhase = 'pending' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface HostedJob {
  id: string;
  /** The provider's own status word, for messages. */
  status: string;
  phase: JobPhase;
  /** The provider's failure message, when the job failed. */
  error: string | null;
  trainedTokens: number | null;
  /** The callable model the job produced (OpenAI `fine_tuned_model`, Together `model_output_name`). */
  outputModel: string | null;
  totalSteps: number | null;
  epochs: number | null;
}

export interface HostedEvent {
  id: string;
  level: string;
  message: string;
  /** Metrics carried by the event (OpenAI/Nebius `type: metrics`, Together `epoch_complete`). */
  step?: number;
  totalSteps?: number;
  trainLoss?: number;
  validLoss?: number;
}

export interface HostedCheckpoint {
  id: string;
  step: number;
  trainLoss: number | null;
  validLoss: number | null;
  /** Files of the checkpoint's weights (Nebius adapters). */
  resultFiles: string[];
  /** A model name that serves this checkpoint, when the provider has one (OpenAI `fine_tuned_model_checkpoint`). */
  servedModel: string | null;
}

export interface CreateJobRequest {
  model: string;
  trainingFile: string;
  validationFile: string;
  seed: number;
  suffix: string | undefined;
  /** `student.method`: Together puts it in `training_type` (Lora or Full). */
  method: 'lora' | 'qlora' | 'full';
  /** Provider spellings (`n_epochs`, `lora_r`, …), passed through as given. */
  hyperparameters: Record<string, unknown>;
}

/** The request body as sent, for `train/job.json`. */
export interface CreatedJob {
  job: HostedJob;
  body: Record<string, unknown>;
}

export interface FineTuningApi {
  readonly flavor: 'openai' | 'nebius' | 'together';
  create(request: CreateJobRequest): Promise<CreatedJob>;
  /**
   * The id of the job made from this uploaded training file, if the provider lists one: a create whose answer
   * was lost (a 500, a timeout, a dropped connection) may have made a job, and it must be found, not paid again.
   */
  findByTrainingFile(fileId: string): Promise<string | undefined>;
  retrieve(jobId: string): Promise<HostedJob>;
  /** Events after `cursor` (undefined: from the start), oldest first, and the cursor to pass next time. */
  newEvents(jobId: string, cursor: string | undefined): Promise<{ events: HostedEvent[]; cursor: string | undefined }>;
  checkpoints(jobId: string): Promise<HostedCheckpoint[]>;
}
