// The seam between a spec and the one engine: the SQL pieces of a detection's search, whoever wrote it. An ESCU (or
// local) detection's structured search is compiled by search-sql.ts from text the code spells; a Sigma rule's
// predicate (sigma.ts) carries values read from its YAML, so every value is a bound parameter. The engine, the
// scheduler's window checks and the coverage count take their search from here and run both alike.
import { join, raw, sql, type Sql } from "../db/sql";
import { compileSearch, strftimeToPg } from "./search-sql";
import { SIGMA_LOGSOURCES } from "./sigma";
import { sigmaFieldSql, sigmaPredicateSql } from "./sigma-sql";
import { outputFieldNames, type DetectionSpec } from "./spec";

export interface EngineSearch {
  /** Predicate over events `e`: the events the search counts (its by-fields present, as Splunk's stats requires). */
  eventPredicate: Sql;
  /** The events the search reads at all, whatever their fields: what coverage counts. */
  sourcePredicate: Sql;
  /** `expr AS g0, expr AS g1, …`: the by-fields of one event. */
  groupSelect: Sql;
  /** `g0, g1, …`. */
  groupAliases: Sql;
  /** jsonb_build_object(...) of the result row, over the grouped columns and aggregates of `time`. */
  rowJson: Sql;
  outputFields: string[];
}

export function engineSearch(spec: Pick<DetectionSpec, "structuredSearch" | "sigma">): EngineSearch {
  if (spec.sigma) return sigmaEngineSearch(spec as Required<Pick<DetectionSpec, "structuredSearch" | "sigma">>);
  const search = compileSearch(spec.structuredSearch);
  return {
    eventPredicate: raw(search.eventPredicate),
    sourcePredicate: raw(search.sourcePredicate),
    groupSelect: raw(search.groupColumns.map((g) => `${g.expr} AS ${g.alias}`).join(", ")),
    groupAliases: raw(search.groupColumns.map((g) => g.alias).join(", ")),
    rowJson: raw(search.rowJson),
    outputFields: search.outputFields,
  };
}

/**
 * A Sigma rule's search: its predicate, grouped by dest and the rule's fields. Only dest must be present (Splunk's
 * null drop of the host); a rule's field may be absent from a source (OriginalFileName in 4688) and stays null in
 * the row, since the rule matched the event without it.
 */
function sigmaEngineSearch(spec: Required<Pick<DetectionSpec, "structuredSearch" | "sigma">>): EngineSearch {
  const { structuredSearch: search, sigma } = spec;
  const columns = search.stats.by.map((field, i) => ({
    alias: `g${i}`,
    field,
    expr: field === "dest" ? raw("e.dest") : sigmaFieldSql(sigma.fieldKeys[field]),
  }));
  const predicate = sigmaPredicateSql(sigma.predicate);
  // What the rule reads at all: its logsource's channels (and event codes), whatever the detection says.
  const logsource = sigmaPredicateSql({
    op: "or",
    args: SIGMA_LOGSOURCES[sigma.logsource].sources.map((s) => ({
      op: "and",
      args: [{ op: "channel", value: s.channel }, ...(s.eventCode === null ? [] : [{ op: "eventCode" as const, value: s.eventCode }])],
    })),
  });
  const timeText = (expr: string) => sql`to_char(${raw(expr)} AT TIME ZONE 'UTC', ${strftimeToPg(search.ctime.timeformat)}::text)`;
  const ctime = new Set<string>(search.ctime.fields);
  const aggregates = { count: "count(*)", firstTime: "min(time)", lastTime: "max(time)" } as const;
  return {
    eventPredicate: sql`${predicate} AND e.dest IS NOT NULL AND e.dest <> ''`,
    sourcePredicate: logsource,
    groupSelect: join(columns.map((c) => sql`${c.expr} AS ${raw(c.alias)}`)),
    groupAliases: raw(columns.map((c) => c.alias).join(", ")),
    rowJson: sql`jsonb_build_object(${join([
      ...columns.map((c) => sql`${c.field}::text, ${raw(c.alias)}`),
      ...(["count", "firstTime", "lastTime"] as const).map((name) => sql`${name}::text, ${ctime.has(name) ? timeText(aggregates[name]) : raw(aggregates[name])}`),
    ])})`,
    outputFields: outputFieldNames(search),
  };
}
