import { z } from 'zod';

/** The OpenAI-compatible wire shapes, only the fields Distillery reads (extra fields pass). */

export const chatMessageSchema = z.object({
  role: z.enum(['system', 'user', 'assistant', 'tool', 'developer']),
  content: z.string(),
});
export type ChatMessage = z.infer<typeof chatMessageSchema>;

export const usageSchema = z.object({
  prompt_tokens: z.number().int().nonnegative().default(0),
  completion_tokens: z.number().int().nonnegative().default(0),
});
export type Usage = z.infer<typeof usageSchema>;

export const chatCompletionSchema = z.object({
  id: z.string().optional(),
  model: z.string().optional(),
  choices: z
    .array(
      z.object({
        message: z.object({
          content: z.string().nullable().optional(),
          reasoning_content: z.string().nullable().optional(),
          reasoning: z.string().nullable().optional(),
        }),
        finish_reason: z.string().nullable().optional(),
        logprobs: z.unknown().optional(), // read by logprobs.ts when asked for
      }),
    )
    .min(1),
  usage: usageSchema.nullable().optional(),
});
export type ChatCompletion = z.infer<typeof chatCompletionSchema>;

export const chatChunkSchema = z.object({
  choices: z
    .array(
      z.object({
        delta: z
          .object({
            content: z.string().nullable().optional(),
            reasoning_content: z.string().nullable().optional(),
            reasoning: z.string().nullable().optional(),
          })
          .optional(),
        finish_reason: z.string().nullable().optional(),
      }),
    )
    .default([]),
  usage: usageSchema.nullable().optional(),
});

export const fileObjectSchema = z.object({
  id: z.string(),
  bytes: z.number().optional(),
  filename: z.string().optional(),
  purpose: z.string().optional(),
  status: z.string().optional(),
});
export type FileObject = z.infer<typeof fileObjectSchema>;

export const batchObjectSchema = z.object({
  id: z.string(),
  status: z.string(),
  input_file_id: z.string().optional(),
  output_file_id: z.string().nullable().optional(),
  error_file_id: z.string().nullable().optional(),
  request_counts: z
    .object({ total: z.number().default(0), completed: z.number().default(0), failed: z.number().default(0) })
    .nullable()
    .optional(),
  errors: z.unknown().optional(),
  /** Together: why a batch failed, as text. */
  error: z.string().nullable().optional(),
  metadata: z.record(z.string(), z.string()).nullable().optional(),
});
export type BatchObject = z.infer<typeof batchObjectSchema>;

/** A line of a batch output or error file: OpenAI nests the completion in `response.body`, Nebius does not. */
export const batchOutputLineSchema = z.object({
  custom_id: z.string(),
  response: z.unknown().nullable().optional(),
  error: z.unknown().nullable().optional(),
});

export const embeddingsSchema = z.object({
  data: z.array(z.object({ index: z.number().int(), embedding: z.array(z.number()) })),
  usage: z.object({ prompt_tokens: z.number().default(0) }).partial().optional(),
});

export const modelListSchema = z.object({ data: z.array(z.object({ id: z.string() })) });
