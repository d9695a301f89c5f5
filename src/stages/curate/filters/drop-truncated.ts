import { z } from 'zod';
import { partitionRecords } from '../filter.js';
import { defineFilter } from '../filter-definition.js';

/** Cut-off answers teach the student to stop mid-thought; `finish_reason: length` catches clients that do not set `truncated`. */
export const dropTruncatedFilter = defineFilter({
  name: 'drop_truncated',
  options: z.object({ finish_reasons: z.array(z.string()).default(['length']) }).strict(),
  create: (options) => ({
    name: 'drop_truncated',
    cost: 0,
    apply: async (records) =>
      partitionRecords(records, (record) =>
        record.truncated || (record.finish_reason !== null && options.finish_reasons.includes(record.finish_reason))
          ? { reason: 'truncated', detail: { finish_reason: record.finish_reason } }
          : null,
      ),
  }),
});
