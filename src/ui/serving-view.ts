import { z } from 'zod';
import { captureInputs, type CapturedInput } from '../serve/capture.js';
import { RequestLog } from '../serve/request-log.js';
import type { RunFiles } from './run-files.js';
import { hasTable, withRunDatabase } from './run-database.js';

export interface ServingView {
  logged: boolean;
  total: number;
  /** Requests per minute, student and fallback apart (minute as `YYYY-MM-DDTHH:MM`). */
  perMinute: { minute: string; student: number; fallback: number; failed: number }[];
  fallbacks: { reason: string; count: number }[];
  /** Requests the fallback answered. */
  fellBackTotal: number;
  /** A page of the distinct inputs the fallback answered, exactly as `distillery capture --only fallback` exports them. */
  captured: CapturedInput[];
  capturedTotal: number;
}

const perMinuteRow = z.object({ minute: z.string(), student: z.number(), fallback: z.number(), failed: z.number() });
const reasonRow = z.object({ reason: z.string(), count: z.number() });

// The same selection as `distillery capture --only fallback` (RequestLog's 'fallback').
const FALLBACK = "served_by = 'fallback'";

/** The gateway's request log from the run's SQLite file, aggregated there (it can hold millions of rows). */
export function readServingView(files: RunFiles, page: number, pageSize: number): ServingView {
  const none: ServingView = { logged: false, total: 0, perMinute: [], fallbacks: [], fellBackTotal: 0, captured: [], capturedTotal: 0 };
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
      // capture's own selection and grouping, so the page lists what the command would write.
      const captured = captureInputs(new RequestLog(database), 'fallback');
      return { logged: true, total, perMinute, fallbacks, fellBackTotal, captured: captured.slice((page - 1) * pageSize, page * pageSize), capturedTotal: captured.length };
    },
    none,
  );
}
