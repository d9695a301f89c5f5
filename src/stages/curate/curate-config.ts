import { z } from 'zod';

/** One `curate:` entry: a bare name (`- drop_truncated`) or a one-key map (`- length: { … }`). */
export const FilterEntrySchema = z.union([
  z.string().min(1),
  z.record(z.string(), z.unknown()).refine((entry) => Object.keys(entry).length === 1, {
    message: 'a filter entry is a name or a map with exactly one key, the filter name',
  }),
]);

export const CurateFilterListSchema = z.array(FilterEntrySchema);

/** `order: cost` (default) runs cheap filters first; `as_written` keeps the list order. */
export const CurateOrderSchema = z.enum(['cost', 'as_written']);
export type CurateOrder = z.infer<typeof CurateOrderSchema>;

/** The `curate:` section: the list itself, or `{ order, filters }` when the order is set. */
export const CurateConfigSchema = z.union([
  CurateFilterListSchema,
  z.object({ order: CurateOrderSchema.default('cost'), filters: CurateFilterListSchema }).strict(),
]);
export type CurateConfig = z.input<typeof CurateConfigSchema>;

export interface FilterSpec {
  name: string;
  /** Raw options, validated later by the filter's own schema; `{}` for a bare name. */
  options: unknown;
  /** Dotted config path for error messages, e.g. `curate.2`. */
  key: string;
}

export function normalizeCurateConfig(config: z.output<typeof CurateConfigSchema>): { order: CurateOrder; filters: FilterSpec[] } {
  const list = Array.isArray(config) ? config : config.filters;
  const order = Array.isArray(config) ? 'cost' : config.order;
  const filters = list.map((entry, index): FilterSpec => {
    const key = `curate.${index}`;
    if (typeof entry === 'string') return { name: entry, options: {}, key };
    const [name, options] = Object.entries(entry)[0]!;
    // `- refusal:` with nothing after it parses as null: treat it as the bare name.
    return { name, options: options ?? {}, key };
  });
  return { order, filters };
}
