// The IIS backdoor chain per host, read from the events themselves (the later links often have no detection):
//
//   1 module_added    Event 29 adding to globalModules/modules, `appcmd install|add module` (Sysmon 1 / 4688), or
//                     New-WebGlobalModule / Enable-WebGlobalModule (PowerShell 4104, or a process command line)
//   2 module_load     the module failing to load: 2282 and its family (2293, 2295, 2296, 2298, 2214, 2220), or
//                     loaded: w3wp.exe loading a DLL from outside %windir% (Sysmon 7)
//   3 w3wp_child      w3wp.exe starting a process (Sysmon 1 ParentImage, 4688 ParentProcessName)
//   4 account_change  accounts created, enabled, reset, changed or added to groups (4720, 4722, 4724, 4728, 4732,
//                     4738, 4756): GhostRedirector's MysqlServiceEx admins, UAT-8099's Guest made admin
//
// A chain starts at a module added and takes, in time order, the first event of each later link (a link may be
// missing: an attacker whose module loads leaves no 2282), up to the window's end (default 24 h after the start).
// It is complete with MIN_CHAIN_LINKS links (the module added and two later ones). Each complete chain is one
// notable per host and start, stored like the risk incident notables (incidents.ts): computed from all the data each
// time and brought in line, so re-running adds nothing.
import type pg from "pg";
import { execute, query, queryOne, sql } from "../db/sql";
import { inTransaction } from "../db/transaction";
import { urgencyFor } from "../detections/severity";

export const CHAIN_LINKS = {
  module_added: "module added",
  module_load: "module loaded or failed to load",
  w3wp_child: "w3wp.exe started a process",
  account_change: "account changed",
} as const;
export type ChainLinkKind = keyof typeof CHAIN_LINKS;
const STAGES = Object.keys(CHAIN_LINKS) as ChainLinkKind[];

/** A chain is complete, and a notable, from the module added and two later links on. */
export const MIN_CHAIN_LINKS = 3;
/** How long after the module added its later links may come; IISWATCH_CHAIN_WINDOW_HOURS overrides it. */
export const DEFAULT_CHAIN_WINDOW_HOURS = 24;
export const CHAIN_RULE = "moduleChain";
const CHAIN_DETECTION_ID = "iis_module_chain";
const SEVERITY = "high";

export function chainWindowMs(hours = Number(process.env.IISWATCH_CHAIN_WINDOW_HOURS) || DEFAULT_CHAIN_WINDOW_HOURS): number {
  return hours * 3_600_000;
}

export interface ChainEvent {
  id: string;
  hostId: string;
  time: Date;
  eventCode: number;
  kind: ChainLinkKind;
  /** What the event says, bounded: the module, the command line, the process, the account. */
  detail: string;
}

export interface Chain {
  hostId: string;
  start: Date;
  links: ChainEvent[];
  complete: boolean;
}

const FAILURE_FAMILY = [2282, 2293, 2295, 2296, 2298, 2214, 2220];
const ACCOUNT_CHANGES = [4720, 4722, 4724, 4728, 4732, 4738, 4756];
const CODES = [29, 1, 7, 4688, 4104, ...FAILURE_FAMILY, ...ACCOUNT_CHANGES];
const SYSMON = "Microsoft-Windows-Sysmon/Operational";
/** Event text is the attacker's: at most this much of it is shown. */
const DETAIL_CHARS = 300;

/**
 * The events of the chain's links, by host and time: one index range per code (host_id, time, event_code), and the
 * time bounds prune the events partitions. The kind of each is decided here, from its code, log and data.
 */
export async function chainEvents(options: { hostId?: string; from?: Date; to?: Date } = {}, on?: pg.ClientBase): Promise<ChainEvent[]> {
  const hostId = options.hostId ?? null;
  const from = options.from ?? null;
  const to = options.to ?? null;
  const commandLine = sql`coalesce(e.data ->> 'CommandLine', e.data ->> 'ProcessCommandLine', '')`;
  const rows = await query<{ id: string; host_id: string; time: Date; event_code: number; kind: ChainLinkKind | null; detail: string | null }>(
    sql`SELECT id::text, host_id, time, event_code, kind, left(detail, ${DETAIL_CHARS}) AS detail FROM (
       SELECT e.id, e.host_id, e.time, e.event_code,
         CASE
           WHEN e.event_code = 29 AND e.data ->> 'Configuration' ~* '^/system\\.webServer/(globalModules|modules)/add' THEN 'module_added'
           WHEN e.event_code IN (1, 4688) AND ${commandLine} ~* 'appcmd(\\.exe)?"?\\s.*\\m(install|add)\\s+module' THEN 'module_added'
           WHEN e.event_code IN (1, 4688) AND ${commandLine} ~* '(New|Enable)-WebGlobalModule' THEN 'module_added'
           WHEN e.event_code = 4104 AND e.data ->> 'ScriptBlockText' ~* '(New|Enable)-WebGlobalModule' THEN 'module_added'
           WHEN e.event_code = ANY(${FAILURE_FAMILY}::int[]) AND e.provider ILIKE '%W3SVC%' THEN 'module_load'
           WHEN e.event_code = 7 AND e.channel = ${SYSMON} AND e.data ->> 'Image' ~* '(^|\\\\)w3wp\\.exe$'
                AND e.data ->> 'ImageLoaded' !~* '^([a-z]:)?\\\\windows\\\\' THEN 'module_load'
           WHEN e.event_code = 1 AND e.channel = ${SYSMON} AND e.data ->> 'ParentImage' ~* '(^|\\\\)w3wp\\.exe$' THEN 'w3wp_child'
           WHEN e.event_code = 4688 AND e.data ->> 'ParentProcessName' ~* '(^|\\\\)w3wp\\.exe$' THEN 'w3wp_child'
           WHEN e.event_code = ANY(${ACCOUNT_CHANGES}::int[]) AND e.channel = 'Security' THEN 'account_change'
         END AS kind,
         CASE
           WHEN e.event_code = 29 THEN e.data ->> 'Configuration' || coalesce(' = ' || nullif(e.data ->> 'NewValue', ''), '')
           WHEN e.event_code = 4104 THEN e.data ->> 'ScriptBlockText'
           WHEN e.event_code = ANY(${FAILURE_FAMILY}::int[]) THEN coalesce(e.f_module_dll, e.data ->> 'ModuleDll', e.data ->> '1', e.data ->> '0', e.message)
           WHEN e.event_code = 7 THEN e.data ->> 'ImageLoaded'
           WHEN e.event_code IN (1, 4688) THEN coalesce(nullif(${commandLine}, ''), e.data ->> 'Image', e.data ->> 'NewProcessName')
           ELSE concat_ws(' ', e.event_code::text, coalesce(nullif(e.data ->> 'TargetDomainName', '') || '\\', '') || (e.data ->> 'TargetUserName'),
                          'by ' || nullif(e.data ->> 'SubjectUserName', ''))
         END AS detail
       FROM events e
       WHERE e.event_code = ANY(${CODES}::int[])
         AND (${hostId}::text IS NULL OR e.host_id = ${hostId}::text)
         AND (${from}::timestamptz IS NULL OR e.time >= ${from}::timestamptz)
         AND (${to}::timestamptz IS NULL OR e.time < ${to}::timestamptz)
     ) x WHERE kind IS NOT NULL ORDER BY host_id, time, id`,
    on,
  );
  return rows.map((r) => ({ id: r.id, hostId: r.host_id, time: r.time, eventCode: r.event_code, kind: r.kind!, detail: r.detail ?? "" }));
}

/**
 * The chains of one host's link events (time order): from each module added not already in a chain, the first event
 * of each later link in order, within the window. Deterministic: the same events give the same chains.
 */
export function chainsOf(events: readonly ChainEvent[], windowMs = chainWindowMs()): Chain[] {
  const chains: Chain[] = [];
  let i = 0;
  while (i < events.length) {
    const start = events[i];
    if (start.kind !== "module_added") {
      i++;
      continue;
    }
    const links = [start];
    let stage = 0;
    let lastIndex = i;
    for (let j = i + 1; j < events.length && events[j].time.getTime() <= start.time.getTime() + windowMs; j++) {
      const next = STAGES.indexOf(events[j].kind);
      if (next > stage) {
        links.push(events[j]);
        stage = next;
        lastIndex = j;
      }
    }
    chains.push({ hostId: start.hostId, start: start.time, links, complete: links.length >= MIN_CHAIN_LINKS });
    // The module adds and failures before the chain's last link belong to it: the next chain starts after.
    i = links.length > 1 ? lastIndex + 1 : i + 1;
  }
  return chains;
}

/** A host's chains (the host page's sequence), of all its data or of the chains starting in [from, to). */
export async function hostChains(hostId: string, windowMs = chainWindowMs(), range: { from?: Date; to?: Date } = {}): Promise<Chain[]> {
  const to = range.to ? new Date(range.to.getTime() + windowMs) : undefined;
  const chains = chainsOf(await chainEvents({ hostId, from: range.from, to }), windowMs);
  return chains.filter((c) => !range.to || c.start < range.to);
}

/** The notable's title: the links in order. */
export const chainTitle = (chain: Chain) => `IIS module chain: ${chain.links.map((l) => CHAIN_LINKS[l.kind]).join(" → ")}`;

/**
 * One notable per host and complete chain, from all the data: a chain's notable is found by its host and start and
 * follows it (title and number of links) as later links arrive; nothing else changes, so re-running adds nothing. A
 * chain whose events were deleted (its upload) takes its notable with it; one whose events expired keeps it. Returns how many
 * notables it created, changed or removed.
 */
export async function storeChainNotables(windowMs = chainWindowMs()): Promise<number> {
  return inTransaction(async (client) => {
    await execute(sql`SELECT pg_advisory_xact_lock(hashtext('iiswatch:module-chains'))`, client);
    const events = await chainEvents({}, client);
    let changed = 0;
    const kept: Chain[] = [];
    for (let start = 0; start < events.length; ) {
      let end = start;
      while (end < events.length && events[end].hostId === events[start].hostId) end++;
      for (const chain of chainsOf(events.slice(start, end), windowMs).filter((c) => c.complete)) {
        changed += await storeChain(client, chain);
        kept.push(chain);
      }
      start = end;
    }
    changed += await execute(
      sql`DELETE FROM notables n WHERE n.incident_rule = ${CHAIN_RULE} AND NOT EXISTS (
         SELECT 1 FROM unnest(${kept.map((c) => c.hostId)}::text[], ${kept.map((c) => c.start)}::timestamptz[]) AS k(host_id, start)
         WHERE k.host_id = n.host_id AND k.start = n.time)
       -- Events that expired (retention) are history, not a mistake: their chains' notables stay.
       AND NOT EXISTS (SELECT 1 FROM event_expirations x WHERE n.time < x.range_end)`,
      client,
    );
    return changed;
  });
}

async function storeChain(client: pg.ClientBase, chain: Chain): Promise<number> {
  const title = chainTitle(chain);
  const existing = await queryOne<{ id: string; title: string; links: number }>(
    sql`SELECT id::text, title, incident_score AS links FROM notables WHERE host_id = ${chain.hostId} AND incident_rule = ${CHAIN_RULE} AND time = ${chain.start}`,
    client,
  );
  if (existing) {
    if (existing.title === title && existing.links === chain.links.length) return 0;
    await execute(sql`UPDATE notables SET title = ${title}, incident_score = ${chain.links.length} WHERE host_id = ${chain.hostId} AND id = ${existing.id}`, client);
    return 1;
  }
  const host = await queryOne<{ name: string; priority: string }>(sql`SELECT name, priority FROM hosts WHERE id = ${chain.hostId}`, client);
  await execute(
    sql`INSERT INTO notables (result_id, incident_rule, incident_score, detection_id, time, title, dest, severity, urgency, updated_at)
     VALUES (NULL, ${CHAIN_RULE}, ${chain.links.length}, ${CHAIN_DETECTION_ID}, ${chain.start}, ${title}, ${host?.name ?? chain.hostId}, ${SEVERITY},
             ${urgencyFor(SEVERITY, host?.priority ?? "unknown")}, now())`,
    client,
  );
  return 1;
}
