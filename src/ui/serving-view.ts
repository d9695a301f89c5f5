import { z } from 'zod';
import type { RunFiles } from './run-files.js';
import { hasTable, withRunDatabase } from './run-database.js';

export interface ServingView {
  logged: boolean;
  total: number;
  /** Requests per minute, student and fallback apart (minute as `YYYY-MM-DDTHH:MM`). */
  perMinute: { minute: string; student: number; fallback: number; failed: number }[];
  fallbacks: { reason: string; count: number }[];
  /** A page of the inputs the fallback answered: what `distillery capture --only fallback` exports. */
  fellBack: { at: string; input: string; reason: string; detail: string | null; studentOutput: string | null; finalOutput: string | null }[];
  fellBackTotal: number;
}

const perMinuteRow = z.object({ minute: z.string(), student: z.number(), fallback: z.number(), failed: z.number() });
const reasonRow = z.object({ reason: z.string(), count: z.number() });
const fellBackRow = z.object({ at: z.string(), input: z.string(), reason: z.string(), detail: z.string().nullable(), student_output: z.string().nullable(), final_output: z.string().nullable() });

// The same selection as `distillery capture --only fallback` (RequestLog's 'fallback').
const FALLBACK = "served_by = 'fallback'";

/** The gateway's request log from the run's SQLite file, aggregated there (it can hold millions of rows). */
export function readServingView(files: RunFiles, page: number, pageSize: number): ServingView {
  const none: ServingView = { logged: false, total: 0, perMinute: [], fallbacks: [], fellBack: [], fellBackTotal: 0 };
  return withRunDatabase(
    files.paths.database,
    (database) => {
      if (!hasTable(database, 'served_requests')) return none;
      const total = z.number().parse(database.prepare('SELECT COUNT(*) FROM served_requests').pluck().get());
      const perMinute = database
        .prepare(
          `SELECT substr(at, 1, 16) AS minute, SUM(served_by = 'student') AS student, SUM(served_by = 'fallback') AS fallback, SUM(status = 'failed') AS failed
           FROM served_requests GROUP BY minute ORDER BY minute`,
        )
        .all()
        .map((row) => perMinuteRow.parse(row));
      const fallbacks = database
        .prepare(`SELECT COALESCE(fallback_reason, 'unknown') AS reason, COUNT(*) AS count FROM served_requests WHERE ${FALLBACK} GROUP BY reason ORDER BY count DESC`)
        .all()
        .map((row) => reasonRow.parse(row));
      const fellBackTotal = z.number().parse(database.prepare(`SELECT COUNT(*) FROM served_requests WHERE ${FALLBACK}`).pluck().get());
      const fellBack = database
        .prepare(
          `SELECT at, input, COALESCE(fallback_reason, 'unknown') AS reason, fallback_detail AS detail, student_output, final_output
           FROM served_requests WHERE ${FALLBACK} ORDER BY id LIMIT ? OFFSET ?`,
        )
        .all(pageSize, (page - 1) * pageSize)
        .map((row) => fellBackRow.parse(row))
        .map((row) => ({ at: row.at, input: row.input, reason: row.reason, detail: row.detail, studentOutput: row.student_output, finalOutput: row.final_output }));
      return { logged: true, total, perMinute, fallbacks, fellBack, fellBackTotal };
    },
    none,
  );
}
