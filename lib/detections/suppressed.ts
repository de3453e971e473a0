// Whether a suppression hides a detection result or risk event now. A result (and its risk events) that a
// suppression (the detection's `_filter` macro, made visible) matches is hidden from the moment the suppression is
// saved; disabling the suppression, or its expiry, brings it back. The state is kept on the rows by the database
// (`suppressed_until`, maintained by a trigger on suppressions with the engine's own matcher, see the
// suppressed_until migration): reads test one column. Risk reads build on this in lib/risk/effective.ts.

/** SQL boolean: whether the row aliased `alias` (a detection result or a risk event) is hidden by a suppression now. */
export const suppressedNow = (alias: string) => `coalesce(${alias}.suppressed_until > now(), false)`;

/** SQL boolean: whether the detection result aliased `r` is hidden by an active suppression. */
export const RESULT_SUPPRESSED = suppressedNow("r");
