import { z } from 'zod';
import { ConfigError, DistilleryError } from '../errors.js';
import { lastJsonLine, runPython } from '../engines/python-process.js';
import { ensureWorkerPython } from '../local-worker/worker-environment.js';
import { workerDirectory } from '../local-worker/worker-location.js';
import { writeModelCard } from './model-card.js';

export class HubPushError extends DistilleryError {}

/** Where `--push-to-hub` sends an export. */
export interface HubTarget {
  /** `owner/name`, or `name` in the token owner's namespace. */
  repo: string;
  private: boolean;
  /** A branch (created from main when missing); default main. */
  revision: string | undefined;
}

export interface HubPushResult {
  repo_url: string;
  revision: string;
  commit_url: string;
  commit_oid: string;
  files: string[];
}

const pushResultSchema = z.object({ repo_url: z.string(), revision: z.string(), commit_url: z.string(), commit_oid: z.string(), files: z.array(z.string()) });

// The Hub's rule for a repo name: letters, digits, '-', '_', '.'; no '--' or '..'; at most 96 characters.
const REPO_PART = /^(?!.*(--|\.\.))[A-Za-z0-9][\w.-]{0,95}$/;

/**
 * Checks the push can happen before anything is exported (an export takes minutes): a token in HF_TOKEN
 * and a valid repo id and branch name.
 */
export function checkHubTarget(target: HubTarget, environment: NodeJS.ProcessEnv = process.env): void {
  const parts = target.repo.split('/');
  if (parts.length > 2 || !parts.every((part) => REPO_PART.test(part) && !part.endsWith('.git'))) {
    throw new ConfigError(`--push-to-hub needs a Hub repo id such as 'my-org/my-student', not '${target.repo}'`, '(command line)', 'push-to-hub');
  }
  if (target.revision !== undefined && !/^(?!\/|.*\/\/|.*\.\.)[\w./-]+(?<![/.])$/.test(target.revision)) {
    throw new ConfigError(`--revision must be a branch name, not '${target.revision}'`, '(command line)', 'revision');
  }
  if (!environment.HF_TOKEN) {
    throw new ConfigError('--push-to-hub needs a Hugging Face access token with write permission in HF_TOKEN (https://huggingface.co/settings/tokens); nothing was exported', '(environment)', 'HF_TOKEN');
  }
}

export interface PublishOptions {
  folder: string;
  runDir: string;
  configPath: string;
  target: HubTarget;
  commitMessage: string;
  environment?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

/**
 * Uploads an export folder (export.json included) with huggingface_hub, after writing a model card
 * `README.md` unless the folder has one. Xet is turned off for the push: the upload goes through the Hub's
 * LFS API, which the project's fake Hub checks; the Hub accepts it for every repo.
 */
export async function publishExport(options: PublishOptions): Promise<HubPushResult> {
  const environment = options.environment ?? process.env;
  checkHubTarget(options.target, environment);
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  if (writeModelCard(options.folder, options.runDir, options.configPath, options.target.repo)) log(`push-to-hub: wrote the model card ${options.folder}/README.md`);
  const python = await ensureWorkerPython({ environment });
  const { HF_HUB_OFFLINE: _offline, TRANSFORMERS_OFFLINE: _transformersOffline, ...online } = environment;
  const args = ['-m', 'distillery_worker.push_to_hub', '--folder', options.folder, '--repo', options.target.repo, '--message', options.commitMessage];
  if (options.target.private) args.push('--private');
  if (options.target.revision !== undefined) args.push('--revision', options.target.revision);
  log(`push-to-hub: uploading ${options.folder} to ${options.target.repo}${options.target.revision ? ` (branch ${options.target.revision})` : ''}`);
  let stdout: string;
  try {
    stdout = await runPython(python, args, {
      what: `pushing to the Hub repo ${options.target.repo}`,
      environment: { ...online, PYTHONPATH: workerDirectory(), HF_HUB_DISABLE_XET: '1', HF_HUB_DISABLE_PROGRESS_BARS: '1' },
      log,
    });
  } catch (error) {
    throw new HubPushError(error instanceof Error ? error.message : String(error), { cause: error });
  }
  return pushResultSchema.parse(lastJsonLine(stdout));
}
