// The `<detection>_filter` macro. ESCU ships it as `search *` (a no-op) for each site to fill with its false-positive
// exclusions; here it is filled from the Suppression table: an enabled, unexpired suppression of the detection
// removes every result row whose fields match all of its field -> value pairs. Matching is Splunk's `search`
// semantics: field names exact, values case-insensitive, `*` a wildcard.

/** ESCU's shipped definition. */
export const DEFAULT_FILTER_DEFINITION = "search *";

/** SQL text literal (standard_conforming_strings: only the quote needs doubling). */
export const sqlText = (value: string) => `'${value.replaceAll("'", "''")}'`;

const splQuote = (value: string) => `"${value.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;

/** The macro's SPL equivalent for these suppressions' matches, as Splunk would have it (for display). */
export function filterMacroDefinition(matches: Record<string, unknown>[]): string {
  const clauses = matches
    .filter((m) => Object.keys(m).length > 0)
    .map((m) => Object.entries(m).map(([field, value]) => `${field}=${splQuote(String(value ?? ""))}`).join(" "));
  if (clauses.length === 0) return DEFAULT_FILTER_DEFINITION;
  return `search NOT (${clauses.map((c) => (clauses.length > 1 ? `(${c})` : c)).join(" OR ")})`;
}
