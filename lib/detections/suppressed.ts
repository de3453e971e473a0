// Risk that counts. A risk event whose result a suppression (the detection's `_filter` macro, made visible)
// now matches no longer counts anywhere — rollups, thresholds, drilldowns — from the moment the suppression is
// saved; disabling the suppression, or its expiry, brings it back. Every risk read goes through this one
// definition. The state is kept on the rows by the database (`suppressed_until`, maintained by a trigger on
// suppressions with the engine's own matcher, see the suppressed_until migration): reads test one column.

/** SQL boolean: whether the row aliased `alias` (a detection result or a risk event) is hidden by a suppression now. */
export const suppressedNow = (alias: string) => `coalesce(${alias}.suppressed_until > now(), false)`;

/** SQL for a subquery yielding the risk_events rows that count (use as `FROM (${EFFECTIVE_RISK_EVENTS}) re`). */
export const EFFECTIVE_RISK_EVENTS = `SELECT * FROM risk_events re WHERE NOT ${suppressedNow("re")}`;

/** SQL boolean: whether the detection result aliased `r` is hidden by an active suppression. */
export const RESULT_SUPPRESSED = suppressedNow("r");
