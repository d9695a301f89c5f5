import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { ConfigError, errorMessage } from '../../../errors.js';
import { partitionRecords, type FilterDependencies } from '../filter.js';
import { defineFilter } from '../filter-definition.js';
import { mapWithConcurrency } from '../../map-with-concurrency.js';
import type { GeneratedRecord } from '../record.js';
import { compileJsonSchema, parseJsonAnswer, type JsonCheck } from './json-schema-check.js';
import { readConfigFile } from '../read-config-file.js';

const VerifyOptionsSchema = z
  .object({
    json_schema: z.string().optional(),
    regex: z.string().optional(),
    flags: z.string().default(''),
    labels: z.array(z.string()).min(1).optional(),
    case_sensitive: z.boolean().default(true),
    module: z.string().optional(),
    on: z.enum(['input', 'output']).default('output'),
    /** Concurrent calls into a user module that may be async (e.g. running code). */
    concurrency: z.number().int().positive().default(8),
  })
  .strict()
  .refine((options) => [options.json_schema, options.regex, options.labels, options.module].some((check) => check !== undefined), {
    message: 'give at least one of json_schema, regex, labels, module',
  });
type VerifyOptions = z.output<typeof VerifyOptionsSchema>;

/** `true` passes; `false` or a string (the reason) fails. */
type Verdict = boolean | string;
export type VerifyFunction = (record: GeneratedRecord) => Verdict | Promise<Verdict>;
type Check = { name: string; run: VerifyFunction };

async function buildChecks(options: VerifyOptions, dependencies: FilterDependencies): Promise<Check[]> {
  const textOf = (record: GeneratedRecord) => (options.on === 'input' ? record.input : record.output);
  const checks: Check[] = [];
  if (options.json_schema !== undefined) {
    const raw = await readConfigFile(dependencies.configDirectory, options.json_schema, 'verify.json_schema');
    const json = parseJsonAnswer(raw);
    let check: JsonCheck;
    try {
      check = compileJsonSchema(json.ok ? json.value : undefined);
    } catch (error) {
      throw new ConfigError(`${options.json_schema} is not a usable JSON Schema: ${json.ok ? errorMessage(error) : json.error}`, dependencies.configDirectory, 'verify.json_schema');
    }
    checks.push({
      name: 'json_schema',
      run: (record) => {
        const answer = parseJsonAnswer(textOf(record));
        if (!answer.ok) return `not JSON: ${answer.error}`;
        const errors = check(answer.value);
        return errors.length === 0 || errors.slice(0, 3).join('; ');
      },
    });
  }
  if (options.regex !== undefined) {
    let pattern: RegExp;
    try {
      pattern = new RegExp(options.regex, options.flags);
    } catch (error) {
      throw new ConfigError(`bad regex: ${errorMessage(error)}`, dependencies.configDirectory, 'verify.regex');
    }
    checks.push({ name: 'regex', run: (record) => pattern.test(textOf(record).trim()) || `does not match /${options.regex}/` });
  }
  if (options.labels !== undefined) {
    const fold = (text: string) => (options.case_sensitive ? text.trim() : text.trim().toLowerCase());
    const labels = new Set(options.labels.map(fold));
    checks.push({ name: 'labels', run: (record) => labels.has(fold(textOf(record))) || 'not one of the labels' });
  }
  if (options.module !== undefined) checks.push({ name: 'module', run: await loadVerifyModule(options.module, dependencies.configDirectory) });
  return checks;
}

async function loadVerifyModule(path: string, configDirectory: string): Promise<VerifyFunction> {
  let imported: { default?: unknown };
  try {
    imported = (await import(pathToFileURL(resolve(configDirectory, path)).href)) as { default?: unknown };
  } catch (error) {
    throw new ConfigError(`cannot load verify module ${path}: ${errorMessage(error)}`, configDirectory, 'verify.module');
  }
  if (typeof imported.default !== 'function') {
    throw new ConfigError(`verify module ${path} must export a default function (record) => boolean | string`, configDirectory, 'verify.module');
  }
  return imported.default as VerifyFunction;
}

/** The first failing check's reason, or null; a throwing check fails with its message instead of crashing the run. */
async function firstFailure(record: GeneratedRecord, checks: Check[]): Promise<{ check: string; message: string } | null> {
  for (const check of checks) {
    let verdict: Verdict;
    try {
      verdict = await check.run(record);
    } catch (error) {
      return { check: check.name, message: `threw: ${errorMessage(error)}` };
    }
    if (verdict === true) continue;
    return { check: check.name, message: typeof verdict === 'string' ? verdict : 'returned false' };
  }
  return null;
}

export const verifyFilter = defineFilter({
  name: 'verify',
  options: VerifyOptionsSchema,
  create: async (options, dependencies) => {
    const checks = await buildChecks(options, dependencies);
    return {
      name: 'verify',
      cost: options.module !== undefined ? 10 : 4,
      apply: async (records) => {
        const failures = await mapWithConcurrency(records, options.concurrency, (record) => firstFailure(record, checks));
        return partitionRecords(records, (_, index) => {
          const failure = failures[index];
          return failure ? { reason: 'verify', detail: failure } : null;
        });
      },
    };
  },
});
