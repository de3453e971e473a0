// Which events show IIS at work on their host. A host with none is not an IIS server: that its IIS configuration
// log is not collected is then no gap in coverage, and the hosts table (lib/hosts) and overview (lib/views) must not
// say it is. Hosts keep a counter of these events (`hosts.iis_events`, host-counters.ts), so those views read a column
// instead of scanning events.
import { CATALOGUE_PROVIDERS } from "./catalogue";
import { IIS_CONFIGURATION_CHANNEL } from "./splunk-fields";
import { sql, type Sql } from "../db/sql";

/** Provider names of IIS components: Microsoft-Windows-IIS-Configuration, -IIS-W3SVC-WP, -IIS-W3SVC, Microsoft-IIS-… */
const IIS_PROVIDER_PREFIXES = ["microsoft-windows-iis", "microsoft-iis"];

/**
 * Other names IIS components write under: every provider of the event catalogue (it describes the events of IIS's
 * components the product reads — WAS among them) and their legacy event source names (W3SVC-WP, WAS), which
 * classic text and Event Viewer exports print instead of the provider; W3SVC is the web service's own source.
 */
const IIS_SOURCE_NAMES = [...new Set([...CATALOGUE_PROVIDERS.flatMap((p) => [p.name, ...p.legacyNames]), "W3SVC"].map((n) => n.toLowerCase()))];

const literal = (s: string) => `'${s.replace(/'/g, "''")}'`;

/**
 * SQL that is true for an event of IIS (columns `provider`, `event_source_name`, `channel` of `events`, optionally
 * qualified by `alias`). The migration that added `hosts.iis_events` backfilled it with this same test.
 */
export function isIisEventSql(alias?: string): string {
  const col = (c: string) => (alias ? `${alias}.${c}` : c);
  const named = (c: string) =>
    [...IIS_PROVIDER_PREFIXES.map((p) => `lower(${col(c)}) LIKE ${literal(`${p}%`)}`), `lower(${col(c)}) IN (${IIS_SOURCE_NAMES.map(literal).join(", ")})`];
  return `(${[...named("provider"), ...named("event_source_name"), `lower(${col("channel")}) = ${literal(IIS_CONFIGURATION_CHANNEL.toLowerCase())}`].join(" OR ")})`;
}

/**
 * SQL over `hosts h`: an IIS server (it has events of IIS) whose IIS configuration log is not collected — what the
 * hosts table's coverage=missing lists and the overview counts.
 */
export const IIS_CONFIGURATION_LOG_MISSING: Sql = sql`(h.iis_events > 0 AND h.iis_config_events = 0)`;
