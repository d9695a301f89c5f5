import { z } from 'zod';

/**
 * The JSON Schema subset we validate: type, properties, required, enum, items, additionalProperties.
 * Annotation keywords ($schema, title, description, …) pass through; other keywords are ignored.
 */
export interface JsonSchemaSubset {
  type?: JsonType | JsonType[];
  properties?: Record<string, JsonSchemaSubset>;
  required?: string[];
  enum?: unknown[];
  items?: JsonSchemaSubset;
  additionalProperties?: boolean;
}

const JsonTypeSchema = z.enum(['string', 'number', 'integer', 'boolean', 'object', 'array', 'null']);
type JsonType = z.infer<typeof JsonTypeSchema>;

export const JsonSchemaSubsetSchema: z.ZodType<JsonSchemaSubset> = z.lazy(() =>
  z.looseObject({
    type: z.union([JsonTypeSchema, z.array(JsonTypeSchema).min(1)]).optional(),
    properties: z.record(z.string(), JsonSchemaSubsetSchema).optional(),
    required: z.array(z.string()).optional(),
    enum: z.array(z.unknown()).optional(),
    items: JsonSchemaSubsetSchema.optional(),
    additionalProperties: z.boolean().optional(),
  }),
);

function typeOf(value: unknown): JsonType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value as JsonType;
}

function matchesType(value: unknown, type: JsonType): boolean {
  const actual = typeOf(value);
  return actual === type || (type === 'number' && actual === 'integer');
}

/** Every violation as `path: problem`; an empty list means valid. */
export function validateJson(value: unknown, schema: JsonSchemaSubset, path = '$'): string[] {
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((type) => matchesType(value, type))) return [`${path}: expected ${types.join(' or ')}, got ${typeOf(value)}`];
  }
  if (schema.enum !== undefined && !schema.enum.some((option) => JSON.stringify(option) === JSON.stringify(value))) {
    return [`${path}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`];
  }
  const errors: string[] = [];
  if (typeOf(value) === 'object') {
    const object = value as Record<string, unknown>;
    for (const key of schema.required ?? []) {
      if (!(key in object)) errors.push(`${path}: missing required property "${key}"`);
    }
    for (const [key, child] of Object.entries(object)) {
      const propertySchema = schema.properties?.[key];
      if (propertySchema !== undefined) errors.push(...validateJson(child, propertySchema, `${path}.${key}`));
      else if (schema.additionalProperties === false) errors.push(`${path}: unexpected property "${key}"`);
    }
  }
  if (Array.isArray(value) && schema.items !== undefined) {
    const items = schema.items;
    value.forEach((item, index) => errors.push(...validateJson(item, items, `${path}[${index}]`)));
  }
  return errors;
}

/** Models often wrap JSON in a ```json fence; accept that, nothing looser. */
export function parseJsonAnswer(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  const fenced = /^```(?:json)?\s*\n([\s\S]*?)\n?```$/i.exec(text.trim());
  try {
    return { ok: true, value: JSON.parse(fenced?.[1] ?? text) };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}
