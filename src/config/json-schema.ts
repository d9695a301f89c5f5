import { z } from 'zod';
import { taskSchema } from './schema.js';

/** The config's JSON Schema, for editors (`# yaml-language-server: $schema=…` or `"$schema"` in JSON). */
export function taskJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(taskSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return { ...schema, title: 'Distillery task', $id: 'https://distillery.dev/schema/task.schema.json' };
}
