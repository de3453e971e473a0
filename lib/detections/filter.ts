// The `<detection>_filter` macro. ESCU ships it as `search *` (a no-op) for each site to fill with its false-positive
// exclusions; here it is filled from the Suppression table: an enabled, unexpired suppression of the detection
// removes every result row whose fields match all of its field -> value pairs. Matching is Splunk's `search`
// semantics: field names exact, values case-insensitive, `*` a wildcard.

/** ESCU's shipped definition. */
export const DEFAULT_FILTER_DEFINITION = "search *";

/** SQL text literal (standard_conforming_strings: only the quote needs doubling). */
export const sqlText = (value: string) => `'${value.replaceAll("'", "''")}'`;

/**
 * A boolean SQL expression: whether a result row (a jsonb expression of its fields) is removed, now, by a
 * suppression of the detection (other than the one `exceptIdSql` names, if given). `detectionIdSql` is an SQL
 * expression (a parameter such as `$1`). The matching itself is the database function suppression_matches (see
 * the suppressed_until migration), which also keeps the stored results' and risk events' suppression state: one
 * matcher for runs and reads.
 */
export function suppressedSql(detectionIdSql: string, rowFieldsSql: string, exceptIdSql?: string): string {
  return `EXISTS (
      SELECT 1 FROM suppressions s
      WHERE s.detection_id = ${detectionIdSql} AND s.enabled${exceptIdSql ? ` AND s.id IS DISTINCT FROM ${exceptIdSql}` : ""}
        AND (s.expires_at IS NULL OR s.expires_at > now())
        AND suppression_matches(s.match, ${rowFieldsSql}))`;
}

const splQuote = (value: string) => `"${value.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;

/** The macro's SPL equivalent for these suppressions' matches, as Splunk would have it (for display). */
export function filterMacroDefinition(matches: Record<string, unknown>[]): string {
  const clauses = matches
    .filter((m) => Object.keys(m).length > 0)
    .map((m) => Object.entries(m).map(([field, value]) => `${field}=${splQuote(String(value ?? ""))}`).join(" "));
  if (clauses.length === 0) return DEFAULT_FILTER_DEFINITION;
  return `search NOT (${clauses.map((c) => (clauses.length > 1 ? `(${c})` : c)).join(" OR ")})`;
}
