// Compiles a detection's structured search into the SQL pieces of one set-based query: the macro and
// `field=value` filters become predicates over the events table, `stats ... by` a GROUP BY that drops rows whose
// by-field is null or empty (as Splunk does), `rename` the result's field names and `security_content_ctime` a
// to_char in UTC.
import { FIELD_COLUMNS, integerEquality, type SearchableField } from "./fields";
import { sqlText } from "./filter";
import { outputFieldNames, renamed, type StructuredSearch } from "./spec";

export interface CompiledSearch {
  /** Predicate over events `e`: macro, conditions, and every by-field present. */
  eventPredicate: string;
  /** The events the search reads at all (macro and conditions, whatever their fields): what coverage counts. */
  sourcePredicate: string;
  /** Event-level expressions of the by-fields, in `by` order, named g0, g1, ... */
  groupColumns: { alias: string; expr: string; output: string }[];
  /** jsonb_build_object(...) of the result row, over the grouped columns and aggregates of `time`. */
  rowJson: string;
  /** Result field names in Splunk's column order. */
  outputFields: string[];
}

/** strftime (as in `convert timeformat=`) -> Postgres to_char pattern, for the conversions ESCU uses. */
export function strftimeToPg(format: string): string {
  const codes: Record<string, string> = { Y: "YYYY", m: "MM", d: "DD", H: "HH24", M: "MI", S: "SS" };
  let out = "";
  let literal = "";
  const flush = () => {
    if (literal) out += `"${literal}"`;
    literal = "";
  };
  for (let i = 0; i < format.length; i++) {
    if (format[i] === "%") {
      const code = codes[format[i + 1]];
      if (!code) throw new Error(`unsupported strftime code %${format[i + 1]}`);
      flush();
      out += code;
      i++;
    } else if (/[-:/ ]/.test(format[i])) {
      flush();
      out += format[i];
    } else literal += format[i];
  }
  flush();
  return out;
}

function fieldEquals(field: SearchableField, value: string): string {
  return integerEquality(field, value) ?? `lower(${FIELD_COLUMNS[field]}) = lower(${sqlText(value)})`;
}

export function compileSearch(search: StructuredSearch): CompiledSearch {
  const macro = `(${search.macro.anyOf.map((c) => fieldEquals(c.field, c.value)).join(" OR ")})`;
  const conditions = search.where.map((c) => fieldEquals(c.field, c.value));
  // An ESCU search's by-fields are Splunk fields (spec.ts checks them); a Sigma rule's are compiled by sigma.ts instead.
  const groupColumns = search.stats.by.map((field, i) => ({ alias: `g${i}`, expr: FIELD_COLUMNS[field as SearchableField], output: renamed(search, field) }));
  const present = groupColumns.map((g) => `${g.expr} IS NOT NULL AND ${g.expr} <> ''`);

  const toText = (expr: string) => `to_char(${expr} AT TIME ZONE 'UTC', ${sqlText(strftimeToPg(search.ctime.timeformat))})`;
  const aggregate = { count: "count(*)", firstTime: "min(time)", lastTime: "max(time)" } as const;
  const ctime = new Set<string>(search.ctime.fields);
  const rowJson = `jsonb_build_object(${[
    ...groupColumns.map((g) => `${sqlText(g.output)}, ${g.alias}`),
    ...(["count", "firstTime", "lastTime"] as const).map((name) => {
      const value = ctime.has(name) ? toText(aggregate[name]) : aggregate[name];
      return `${sqlText(name)}, ${value}`;
    }),
  ].join(", ")})`;

  return {
    eventPredicate: [...conditions, macro, ...present].join("\n      AND "),
    sourcePredicate: [...conditions, macro].join(" AND "),
    groupColumns,
    rowJson,
    outputFields: outputFieldNames(search),
  };
}
