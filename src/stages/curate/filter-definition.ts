import type { z } from 'zod';
import type { Filter, FilterDependencies } from './filter.js';

/** How a `curate:` entry becomes a filter: its options schema, and a factory that may load files. */
export interface FilterDefinition<Schema extends z.ZodType = z.ZodType> {
  name: string;
  options: Schema;
  create(options: z.output<Schema>, dependencies: FilterDependencies): Filter | Promise<Filter>;
}

/** Keeps the options type tied to the schema at each definition site. */
export function defineFilter<Schema extends z.ZodType>(definition: FilterDefinition<Schema>): FilterDefinition<Schema> {
  return definition;
}
