// Compiles a detection's structured search into the SQL pieces of one set-based query: the macro (or the data
// model's constraint) and the conditions become predicates over the events table, `stats ... by` a GROUP BY that
// drops rows whose by-field is null or empty (as Splunk does; tstats instead counts them as its fillnull value),
// `rename` the result's field names and `security_content_ctime` a to_char in UTC.
import { datasetConstraint } from "./datamodel";
import { FIELD_COLUMNS, integerEquality, type SearchableField } from "./fields";
import { sqlText } from "./filter";
import type { SearchCondition } from "./search-shape";
import { outputFieldNames, renamed, type StructuredSearch } from "./spec";

export interface CompiledSearch {
  /** Predicate over events `e`: macro, conditions, and every by-field present. */
  eventPredicate: string;
  /** The events the search reads at all (macro and `field=value` conditions, or the data model): what coverage counts. */
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

/** A Splunk value with `*` wildcards as a LIKE pattern: LIKE's own `%`, `_` and escape character taken literally. */
export function wildcardToLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`).replaceAll("*", "%");
}

/** `field=value` or `field IN (…)`: case-insensitive, `*` a wildcard. */
function fieldMatches(field: SearchableField, values: string[]): string {
  const alternatives = values.map((v) => (v.includes("*") ? `${FIELD_COLUMNS[field]} ILIKE ${sqlText(wildcardToLike(v))}` : fieldEquals(field, v)));
  return alternatives.length === 1 ? alternatives[0] : `(${alternatives.join(" OR ")})`;
}

/**
 * A condition as a predicate that is never null: a field the event lacks matches nothing, so `NOT field IN (…)`
 * holds for it, as in Splunk (`NOT` keeps events without the field).
 */
export function conditionSql(c: SearchCondition): string {
  if ("all" in c) return `(${c.all.map(conditionSql).join(" AND ")})`;
  if ("any" in c) return `(${c.any.map(conditionSql).join(" OR ")})`;
  if ("not" in c) return `(NOT ${conditionSql(c.not)})`;
  return `coalesce(${fieldMatches(c.field as SearchableField, c.values)}, false)`;
}

export function compileSearch(search: StructuredSearch): CompiledSearch {
  const macro = search.tstats
    ? datasetConstraint(search.tstats.datamodel)
    : `(${search.macro!.anyOf.map((c) => fieldEquals(c.field, c.value)).join(" OR ")})`;
  const equalities = search.where.map((c) => fieldEquals(c.field, c.value));
  const conditions = [...equalities, ...(search.condition ? [conditionSql(search.condition)] : [])];
  // tstats with fillnull_value counts an event lacking a by-field under that value; stats drops it.
  const fillnull = search.tstats?.fillnullValue;
  const groupColumns = search.stats.by.map((field, i) => {
    // An ESCU search's by-fields are Splunk fields (spec.ts checks them); a Sigma rule's are compiled by sigma.ts instead.
    const expr = FIELD_COLUMNS[field as SearchableField];
    return { alias: `g${i}`, expr: fillnull === undefined ? expr : `coalesce(nullif(${expr}, ''), ${sqlText(fillnull)})`, output: renamed(search, field) };
  });
  const present = fillnull === undefined ? groupColumns.map((g) => `${g.expr} IS NOT NULL AND ${g.expr} <> ''`) : [];

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
    // What logs feed it: the macro's events of its EventCode, or the data model's datasets (any process creation).
    sourcePredicate: search.tstats ? macro : [...equalities, macro].join(" AND "),
    groupColumns,
    rowJson,
    outputFields: outputFieldNames(search),
  };
}
