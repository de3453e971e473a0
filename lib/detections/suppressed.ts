// Whether a suppression hides a detection result or risk event now. A result (and its risk events) that a
// suppression (the detection's `_filter` macro, made visible) matches is hidden from the moment the suppression is
// saved; disabling the suppression, or its expiry, brings it back. The state is kept on the rows by the database
// (`suppressed_until`, maintained by a trigger on suppressions with the engine's own matcher, see the
// suppressed_until migration): reads test one column. Risk reads build on this in lib/risk/effective.ts.
import { empty, raw, sql, type Sql } from "../db/sql";

/** SQL boolean: whether the row aliased `alias` (a detection result or a risk event) is hidden by a suppression now. */
export const suppressedNow = (alias: string): Sql => sql`coalesce(${raw(alias)}.suppressed_until > now(), false)`;

/** SQL boolean: whether the detection result aliased `r` is hidden by an active suppression. */
export const RESULT_SUPPRESSED: Sql = suppressedNow("r");

/** suppressedNow for a row read through Prisma: whether its `suppressedUntil` hides it at `now`. */
export const suppressedAt = (suppressedUntil: Date | null, now = new Date()) => suppressedUntil !== null && suppressedUntil > now;

/**
 * A boolean SQL expression: whether a result row (`rowFields`, a jsonb expression of its fields) is removed, now, by
 * a suppression of the detection `detectionId` (other than the suppression `exceptId`, when given) — the `_filter`
 * macro of lib/detections/filter.ts as runs apply it. The matching itself is the database function
 * suppression_matches (see the suppressed_until migration), which also keeps the stored results' and risk events'
 * suppression state: one matcher for runs and reads.
 */
export function suppressedSql(detectionId: string, rowFields: Sql, exceptId?: bigint | null): Sql {
  return sql`EXISTS (
      SELECT 1 FROM suppressions s
      WHERE s.detection_id = ${detectionId} AND s.enabled${exceptId === undefined ? empty : sql` AND s.id IS DISTINCT FROM ${exceptId}::bigint`}
        AND (s.expires_at IS NULL OR s.expires_at > now())
        AND suppression_matches(s.match, ${rowFields}))`;
}
