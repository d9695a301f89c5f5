import { Ajv, type ErrorObject } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';

/**
 * `verify: {json_schema}`: the whole of JSON Schema (pattern, minimum, oneOf, $ref, …) by ajv, draft-07 unless
 * the schema's `$schema` names 2020-12. `format` is not checked (ajv-formats is not installed): a schema that
 * needs it should add a `pattern`.
 */
export type JsonCheck = (value: unknown) => string[];

/** Compiles the schema once; throws with ajv's reason when it is not a valid schema. */
export function compileJsonSchema(schema: unknown): JsonCheck {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) throw new Error('a JSON Schema is an object');
  const modern = String((schema as { $schema?: unknown }).$schema ?? '').includes('2020-12');
  const options = { allErrors: true, strict: false, validateFormats: false } as const;
  const validate = (modern ? new Ajv2020(options) : new Ajv(options)).compile(schema);
  return (value) => (validate(value) ? [] : (validate.errors ?? []).map(describe));
}

/** `$.spans[1]: must be integer`, with the detail ajv keeps in params (allowed values, the extra property). */
function describe(error: ErrorObject): string {
  const path = `$${error.instancePath
    .split('/')
    .slice(1)
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((segment) => (/^\d+$/.test(segment) ? `[${segment}]` : `.${segment}`))
    .join('')}`;
  const params = error.params as { allowedValues?: unknown; additionalProperty?: string };
  const detail = params.allowedValues !== undefined ? ` ${JSON.stringify(params.allowedValues)}` : params.additionalProperty !== undefined ? ` "${params.additionalProperty}"` : '';
  return `${path}: ${error.message ?? error.keyword}${detail}`;
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
