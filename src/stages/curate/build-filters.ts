import { ConfigError } from '../../errors.js';
import { CurateConfigSchema, normalizeCurateConfig, type CurateOrder } from './curate-config.js';
import type { Filter, FilterDependencies } from './filter.js';
import type { FilterDefinition } from './filter-definition.js';
import { decontaminateFilter } from './filters/decontaminate.js';
import { dedupFilter } from './filters/dedup.js';
import { diversityFilter } from './filters/diversity.js';
import { dropTruncatedFilter } from './filters/drop-truncated.js';
import { languageFilter } from './filters/language.js';
import { lengthFilter } from './filters/length.js';
import { reasoningFilter } from './filters/reasoning.js';
import { refusalFilter } from './filters/refusal.js';
import { judgeFilter } from './judge/judge.js';
import { verifyFilter } from './verify/verify.js';

export const FILTER_DEFINITIONS: readonly FilterDefinition[] = [
  dropTruncatedFilter,
  lengthFilter,
  reasoningFilter,
  refusalFilter,
  languageFilter,
  dedupFilter,
  verifyFilter,
  judgeFilter,
  diversityFilter,
  decontaminateFilter,
] as FilterDefinition[];

/**
 * Validates the `curate:` section and builds its filters (loading schema, rubric and evaluation
 * files). Every problem is a ConfigError naming the entry, e.g. `curate.2.length.output_chars`.
 */
export async function buildFilters(
  config: unknown,
  dependencies: FilterDependencies,
  configFile = dependencies.configDirectory,
): Promise<{ order: CurateOrder; filters: Filter[] }> {
  const parsed = CurateConfigSchema.safeParse(config);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`curate: ${issue?.message ?? 'invalid'}`, configFile, ['curate', ...(issue?.path ?? [])].join('.'));
  }
  const { order, filters: specs } = normalizeCurateConfig(parsed.data);
  const filters: Filter[] = [];
  for (const spec of specs) {
    const definition = FILTER_DEFINITIONS.find((candidate) => candidate.name === spec.name);
    if (definition === undefined) {
      const known = FILTER_DEFINITIONS.map((candidate) => candidate.name).join(', ');
      throw new ConfigError(`unknown filter "${spec.name}" (known: ${known})`, configFile, spec.key);
    }
    const options = definition.options.safeParse(spec.options);
    if (!options.success) {
      const issue = options.error.issues[0];
      const key = [spec.key, spec.name, ...(issue?.path ?? [])].join('.');
      throw new ConfigError(`${key}: ${issue?.message ?? 'invalid options'}`, configFile, key);
    }
    filters.push(await definition.create(options.data, dependencies));
  }
  return { order, filters };
}
