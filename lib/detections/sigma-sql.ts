// A compiled Sigma rule's predicate as SQL (the engine's side: engine-search.ts). Kept apart from sigma.ts, which the
// spec schema imports, so that nothing a client component reaches through the spec pulls in the database driver.
import { join, sql, type Sql } from "../db/sql";
import type { SigmaPredicate } from "./sigma";

/** The predicate as SQL over events `e`, every value a bound parameter. A field comparison on an absent value is false, never NULL, so `not` means what Sigma means. */
export function sigmaPredicateSql(p: SigmaPredicate): Sql {
  switch (p.op) {
    case "and":
    case "or":
      return join(p.args.map(sigmaPredicateSql), p.op === "and" ? " AND " : " OR ", "(", ")");
    case "not":
      return sql`(NOT ${sigmaPredicateSql(p.arg)})`;
    case "eventCode":
      return sql`e.event_code = ${p.value}::int`;
    case "channel":
      return sql`lower(e.channel) = lower(${p.value}::text)`;
    case "field": {
      const value = sql`(e.data ->> ${p.key}::text)`;
      switch (p.match) {
        case "eq":
          return sql`coalesce(lower(${value}) = lower(${p.value}::text), false)`;
        case "like":
          return sql`coalesce(lower(${value}) LIKE lower(${p.value}::text), false)`;
        case "re":
          return sql`coalesce(${value} ~ ${p.value}::text, false)`;
        case "empty":
          return sql`coalesce(${value}, '') = ''`;
        case "null":
          return sql`${value} IS NULL`;
      }
    }
  }
}

/** A result field's value: the Sigma field from whichever source's name the event has. */
export function sigmaFieldSql(keys: readonly string[]): Sql {
  return keys.length === 1 ? sql`(e.data ->> ${keys[0]}::text)` : sql`coalesce(${join(keys.map((k) => sql`e.data ->> ${k}::text`))})`;
}
