import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';

/**
 * The providers' published fine-tuning schemas (extracted by extract-schemas.ts into fine-tuning-*.json), as ajv
 * validators. `strictRequest` also refuses top-level fields the document does not name: a field a provider does
 * not know is silently ignored at best (Together trained a LoRA when told `lora: false` at the top level).
 */
export type DocumentName = 'openai' | 'together';

interface Fixture {
  source: { repository: string; file: string; commit: string };
  definitions: Record<string, Record<string, unknown>>;
}

const here = dirname(fileURLToPath(import.meta.url));
const validators = new Map<string, ValidateFunction>();
const fixtures = new Map<DocumentName, Fixture>();

export function documentFixture(document: DocumentName): Fixture {
  let fixture = fixtures.get(document);
  if (fixture === undefined) {
    fixture = JSON.parse(readFileSync(join(here, `fine-tuning-${document}.json`), 'utf8')) as Fixture;
    fixtures.set(document, fixture);
  }
  return fixture;
}

function validator(document: DocumentName, schemaName: string, strictRequest: boolean): ValidateFunction {
  const key = `${document}:${schemaName}:${strictRequest}`;
  let validate = validators.get(key);
  if (validate === undefined) {
    const { definitions } = documentFixture(document);
    const root = definitions[schemaName];
    if (root === undefined) throw new Error(`fine-tuning-${document}.json has no schema ${schemaName}`);
    // `format` words (uuid, unixtime, float) are annotations here; validating them would test ajv-formats, not the fake.
    const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
    const closed = strictRequest ? { ...root, additionalProperties: false } : root;
    validate = ajv.compile({ ...closed, definitions });
    validators.set(key, validate);
  }
  return validate;
}

/** Where `value` departs from the document's `schemaName` (empty when it conforms), one line per problem. */
export function schemaProblems(document: DocumentName, schemaName: string, value: unknown, options: { strictRequest?: boolean } = {}): string[] {
  const validate = validator(document, schemaName, options.strictRequest ?? false);
  if (validate(value)) return [];
  return (validate.errors ?? []).map((error) => {
    const where = error.instancePath === '' ? '(body)' : error.instancePath;
    const extra = error.keyword === 'additionalProperties' ? ` '${String((error.params as { additionalProperty?: string }).additionalProperty)}'` : '';
    return `${where} ${error.message ?? error.keyword}${extra}`;
  });
}
