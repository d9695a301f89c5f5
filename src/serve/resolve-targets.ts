import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { resolvePrompt, type LoadedTask } from '../config/load.js';
import { requireTeacher } from '../config/teacher-section.js';
import type { PromptSpec } from '../data/chat-format.js';
import { ConfigError, DistilleryError } from '../errors.js';
import { httpClientFor } from '../llm/endpoint.js';
import type { HttpClient } from '../llm/http-client.js';
import { runPaths } from '../stages/run-paths.js';
import type { ServeConfig, ServeTargetConfig } from '../config/serve-config.js';
import type { ServeTarget, ServeTargets } from './serve-target.js';

/** What the local worker is asked to serve: the base model with the run's adapter under the name `student`. */
export interface LocalStudentRequest {
  base: string;
  adapterDir: string;
  adapterName: string;
}

/**
 * A started local server: its own client (vLLM's carries the server's API key: a bare base URL would get 401
 * and every request would fall back), the model id to ask, and its stop.
 */
export interface LocalStudent {
  http: HttpClient;
  model: string;
  close(): Promise<void>;
}

/** Starts `python -m distillery_worker serve --model BASE --adapter student=DIR`; injected by the pipeline. */
export type StartLocalStudent = (request: LocalStudentRequest) => Promise<LocalStudent>;

export interface ResolveTargetsOptions {
  task: LoadedTask;
  runDir: string;
  serve: ServeConfig;
  environment?: NodeJS.ProcessEnv;
  startLocalStudent?: StartLocalStudent;
  fetch?: typeof fetch;
}

/** No student to serve: the run has no trained model and `serve.student` names none. */
export class NoStudentError extends DistilleryError {}

const trainMetricsSchema = z.object({ served_model: z.string().min(1).optional() }).loose();

function servedModelOf(metricsPath: string): string | undefined {
  if (!existsSync(metricsPath)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(metricsPath, 'utf8'));
  } catch {
    return undefined;
  }
  return trainMetricsSchema.safeParse(value).data?.served_model;
}

/**
 * The gateway's student and fallback, from the `serve:` section or the run: the student is `serve.student`,
 * else the hosted job's `served_model` (train/metrics.json) on the student endpoint, else the local adapter
 * (train/adapter) served by the worker; the fallback is `serve.fallback`, else the teacher. In `messages: task`
 * mode each gets the prompt it was trained or configured with.
 */
export async function resolveServeTargets(options: ResolveTargetsOptions): Promise<ServeTargets> {
  const { task, serve } = options;
  const config = task.config;
  const environment = options.environment ?? process.env;
  const endpointTarget = (settings: ServeTargetConfig, key: string): ServeTarget => {
    const endpoint = config.endpoints[settings.endpoint];
    if (endpoint === undefined) throw new ConfigError(`${task.file}: ${key}.endpoint: unknown endpoint '${settings.endpoint}'`, task.file, `${key}.endpoint`);
    return { http: httpClientFor(settings.endpoint, endpoint, environment, options.fetch), model: settings.model };
  };

  const teacher = requireTeacher(config, task.file, 'serving (the fallback and its prompt)');
  const fallback: ServeTarget = {
    ...endpointTarget(serve.fallback ?? { endpoint: teacher.endpoint, model: teacher.model }, serve.fallback ? 'serve.fallback' : 'teacher'),
    maxTokens: teacher.max_tokens,
    extraBody: teacher.extra_body,
  };
  if (serve.messages === 'task') {
    fallback.prompt = {
      system: resolvePrompt(task, teacher.system, 'teacher.system'),
      userTemplate: teacher.user_template,
      fewShot: teacher.few_shot,
      assistantPrefix: teacher.assistant_prefix,
      noThink: teacher.no_think,
    };
  }

  let close: (() => Promise<void>) | undefined;
  let student: ServeTarget;
  const paths = runPaths(options.runDir);
  const servedModel = servedModelOf(paths.train.metrics);
  if (serve.student !== undefined) {
    student = endpointTarget(serve.student, 'serve.student');
  } else if (servedModel !== undefined && config.student?.endpoint !== undefined) {
    student = endpointTarget({ endpoint: config.student.endpoint, model: servedModel }, 'student');
  } else if (existsSync(paths.train.metrics) && config.student !== undefined) {
    if (options.startLocalStudent === undefined) throw new NoStudentError(`the run has a locally trained student (${paths.train.metrics}) but no way to start the worker was given`);
    const local = await options.startLocalStudent({ base: config.student.base, adapterDir: paths.train.adapter, adapterName: 'student' });
    student = { http: local.http, model: local.model };
    close = () => local.close();
  } else {
    throw new NoStudentError(`no trained student in ${options.runDir} (no train/metrics.json served_model, no train/adapter); set serve.student`);
  }
  if (serve.messages === 'task' && config.student !== undefined) {
    const prompt: PromptSpec = {
      system: resolvePrompt(task, config.student.system, 'student.system'),
      userTemplate: config.student.user_template,
      assistantPrefix: config.student.assistant_prefix,
    };
    student.prompt = prompt;
  }
  return { student, fallback, close };
}
