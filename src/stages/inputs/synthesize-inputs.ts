import { z } from 'zod';
import { requireTeacher } from '../../config/teacher-section.js';
import { ConfigError } from '../../errors.js';
import { modelChat } from '../model-chat.js';
import { stageClient } from '../stage-client.js';
import { priceFor } from '../../llm/pricing.js';
import type { StageContext } from '../context.js';
import type { ChatFunction } from '../curate/chat.js';
import { Budget } from '../generate/budget.js';
import type { InputRecord } from './input-record.js';
import { evolInstruct, EvolInstructOptionsSchema, selfInstruct, SelfInstructOptionsSchema, synthesizeFromTemplates, TemplateSynthesisSchema } from './synthesize/index.js';

/**
 * `inputs.synthesize`: any of `templates` (slot filling, no model), `self_instruct` and `evol_instruct`
 * (the teacher writes new inputs from `seeds`). Model calls go through the cached client, so a re-run of
 * the inputs stage reproduces the same inputs for free.
 */
const synthesizeSchema = z.strictObject({
  seeds: z.array(z.string().min(1)).default([]),
  templates: TemplateSynthesisSchema.optional(),
  self_instruct: SelfInstructOptionsSchema.optional(),
  evol_instruct: EvolInstructOptionsSchema.optional(),
});

export async function synthesizeInputs(context: StageContext): Promise<InputRecord[]> {
  const { config, file } = context.task;
  const parsed = synthesizeSchema.safeParse(config.inputs.synthesize ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = ['inputs', 'synthesize', ...issue.path.map(String)].join('.');
    throw new ConfigError(`${file}: ${key}: ${issue.message}`, file, key);
  }
  const settings = parsed.data;
  const records: InputRecord[] = [];
  if (settings.templates) {
    for (const input of synthesizeFromTemplates(settings.templates)) records.push({ id: `template-${input.id}`, input: input.input, fields: input.fields });
  }
  if (settings.self_instruct || settings.evol_instruct) {
    if (settings.seeds.length === 0) throw new ConfigError(`${file}: inputs.synthesize.seeds: self_instruct and evol_instruct need seed examples`, file, 'inputs.synthesize.seeds');
    const chat = teacherChat(context);
    if (settings.self_instruct) {
      const result = await selfInstruct(settings.seeds, chat, settings.self_instruct);
      for (const input of result.inputs) records.push({ id: `self-instruct-${input.id}`, input: input.input, fields: input.fields });
    }
    if (settings.evol_instruct) {
      const result = await evolInstruct(settings.seeds, chat, settings.evol_instruct);
      for (const input of result.inputs) records.push({ id: `evol-${input.id}`, input: input.input, fields: input.fields });
    }
  }
  return records;
}

function teacherChat(context: StageContext): ChatFunction {
  const { prices } = context.task.config;
  const teacher = requireTeacher(context.task.config, context.task.file, 'inputs.synthesize (self_instruct, evol_instruct)');
  const budget = new Budget(context.state, 'inputs', 'synthesize', teacher.model, priceFor(prices, teacher.model), undefined);
  return modelChat({
    client: () => stageClient(context, teacher.endpoint, teacher.model, teacher.concurrency).then(({ client }) => client),
    parameters: { model: teacher.model, temperature: teacher.temperature ?? 0.7, top_p: teacher.top_p, max_tokens: teacher.max_tokens },
    signal: context.signal,
    onPaid: (usage) => budget.charge(usage),
  });
}
