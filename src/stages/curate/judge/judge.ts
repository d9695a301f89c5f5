import { z } from 'zod';
import { ConfigError } from '../../../errors.js';
import { partitionRecords } from '../filter.js';
import { defineFilter } from '../filter-definition.js';
import { mapWithConcurrency } from '../../map-with-concurrency.js';
import { readConfigFile } from '../read-config-file.js';
import { DEFAULT_JUDGE_RUBRIC, fillRubric } from './default-rubric.js';
import { parseJudgeAnswer } from './parse-judge-answer.js';

const JudgeOptionsSchema = z
  .object({
    endpoint: z.string().min(1),
    model: z.string().min(1),
    min_score: z.number().min(1).max(5).default(4),
    /** Path to a rubric with `{input}` and `{output}` placeholders; the built-in rubric otherwise. */
    prompt: z.string().optional(),
    concurrency: z.number().int().positive().default(8),
  })
  .strict();

/**
 * LLM-as-judge: one chat call per record, scored 1–5. Unparseable answers are dropped with the raw
 * answer kept for inspection. Errors from the chat function (after its own retries) stop the run:
 * silently dropping records during an outage would quietly shrink the dataset.
 */
export const judgeFilter = defineFilter({
  name: 'judge',
  options: JudgeOptionsSchema,
  create: async (options, dependencies) => {
    if (dependencies.chatFor === undefined) {
      throw new ConfigError('judge needs a chat client; none was wired', dependencies.configDirectory, 'judge');
    }
    const chat = dependencies.chatFor({ endpoint: options.endpoint, model: options.model });
    const rubric =
      options.prompt === undefined ? DEFAULT_JUDGE_RUBRIC : await readConfigFile(dependencies.configDirectory, options.prompt, 'judge.prompt');
    return {
      name: 'judge',
      cost: 100,
      apply: async (records, context) => {
        let done = 0;
        const answers = await mapWithConcurrency(records, options.concurrency, async (record) => {
          const reply = await chat([{ role: 'user', content: fillRubric(rubric, record.input, record.output) }]);
          context.onProgress?.('judge', ++done, records.length);
          return reply.content;
        });
        return partitionRecords(records, (_, index) => {
          const answer = answers[index] ?? '';
          const verdict = parseJudgeAnswer(answer);
          if (verdict === null) return { reason: 'judge_unparsed', detail: { answer } };
          return verdict.score >= options.min_score ? null : { reason: 'judge_score', detail: verdict };
        });
      },
    };
  },
});
