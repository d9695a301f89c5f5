import { z } from 'zod';
import { comparisonSchema, metricValueSchema } from '../report/evaluation-report-schema.js';

/** One variant's row of the comparison table. */
export const variantRowSchema = z.object({
  name: z.string(),
  description: z.string().nullable(),
  loss: z.string().describe('student.loss.type (sft, topk_kd, …) with its top_k and alpha when set, and student.method (full, lora, qlora).'),
  include_reasoning: z.boolean().describe('Whether the teacher\'s reasoning is part of the trained answer (split.include_reasoning).'),
  metric: metricValueSchema.describe('The student\'s primary metric on the held-out items.'),
  transfer_ratio: z.object({ value: z.number(), ci95: z.tuple([z.number(), z.number()]).nullable() }).nullable(),
  train_seconds: z.number().nullable(),
  steps: z.number().nullable().describe('Optimizer steps of the training.'),
  teacher_calls: z.number().describe('Teacher requests made while training (on-policy scoring); 0 for methods that reuse the generated answers.'),
  teacher_tokens: z.number(),
  verdict: z.string(),
});
export type VariantRow = z.infer<typeof variantRowSchema>;

/** `variants/compare.json`: what `distillery compare` measured, and the source of the report's table. */
export const compareReportSchema = z.object({
  name: z.string(),
  primary_metric: z.string(),
  items: z.number().int().describe('Held-out items every variant was scored on.'),
  against: z.string().describe('The variant the others are compared with item by item.'),
  references: z.record(z.string(), metricValueSchema).describe('The models asked once for every variant (teacher, untuned base, …), on the primary metric.'),
  generation: z.object({ teacher_calls: z.number(), prompt_tokens: z.number(), completion_tokens: z.number() }).describe('The teacher\'s answers all variants were trained on, generated once.'),
  variants: z.array(variantRowSchema),
  paired: z.array(comparisonSchema).describe('Each variant minus `against` on the same items: paired bootstrap interval and McNemar\'s test.'),
});
export type CompareReport = z.infer<typeof compareReportSchema>;
