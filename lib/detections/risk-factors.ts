// Module provenance as risk: what separates an attacker's module from an admin's, as explainable factors added to a
// result's risk (rba.ts adds them up; this module says what they are and finds them). Two detections score an
// attacker's `ManagedEngine64.dll` from `C:\ProgramData\Microsoft\DRM\log\` (GhostRedirector, ESET 2025) the same as
// an admin's `appcmd install module` of a Microsoft module from inetsrv; these factors tell them apart:
//
//   image_in_user_writable_path  the DLL lives where any user or a web shell can write (ProgramData, Temp, Users…)
//   image_outside_iis_folders    the DLL is not under %windir%\System32\inetsrv (nor SysWOW64's, nor .NET's folders)
//   imitates_builtin_module      the name (or the DLL's file name) is a built-in module's, or one edit away from it,
//                                but the image is not that module's (DoorMe's FastCgiModule_64bit, GhostRedirector's
//                                ManagedEngine64.dll)
//   rare_in_fleet                only this host of the fleet's IIS hosts has the module (fleet prevalence)
//   first_seen_on_host           the first result on this host that names the module (Elastic's "new terms")
//
// The first three read the result's enrichment (changes[].module/.image of Event 29, failures[].moduleDll of the
// 2282 family); the last two read the results stored before (by event time, never the wall clock), so a replay of
// history scores each result as it was when it happened.
import type pg from "pg";
import { query, sql } from "../db/sql";
import type { StoredEnrichment } from "./enrichment";

export const RISK_FACTORS = {
  image_in_user_writable_path: { points: 25, label: "image in a user-writable or temporary folder" },
  imitates_builtin_module: { points: 20, label: "name imitates a built-in IIS module" },
  image_outside_iis_folders: { points: 15, label: "image outside the IIS and .NET folders" },
  rare_in_fleet: { points: 10, label: "module on one host of the fleet" },
  first_seen_on_host: { points: 10, label: "module first seen on this host" },
} as const;
export type RiskFactorName = keyof typeof RISK_FACTORS;

/** A stored factor's label (a factor from a later version than this code is shown by its name). */
export const riskFactorLabel = (factor: string): string => (Object.hasOwn(RISK_FACTORS, factor) ? RISK_FACTORS[factor as RiskFactorName].label : factor);

/** One factor of a result's risk, as stored in risk_factors (results and risk events): what, how much, why. */
export interface RiskFactor {
  factor: RiskFactorName;
  points: number;
  why: string;
}

/** Fleet prevalence means something from this many IIS hosts on: one host of two is not rare. */
export const MIN_FLEET_FOR_PREVALENCE = 3;

/**
 * IIS's built-in native modules and their images, as Microsoft documents them ("Introduction to IIS Architectures",
 * Native Modules and Managed Support Modules; MicrosoftDocs/iis-docs
 * iis/get-started/introduction-to-iis/introduction-to-iis-architecture.md @ 0bb6093b, CC BY 4.0), completed with the
 * default `globalModules` of IIS's applicationHost.config for the .NET 4 engines and the modules IIS ships since
 * (WebSocket, Application Initialization, Dynamic IP Restriction, WebDAV, ASP.NET Core Module). Images relative to
 * inetsrv unless they start with `\`.
 */
export const BUILTIN_MODULES: Readonly<Record<string, string>> = {
  CustomErrorModule: "custerr.dll",
  HttpRedirectionModule: "redirect.dll",
  ProtocolSupportModule: "protsup.dll",
  RequestFilteringModule: "modrqflt.dll",
  WebDAVModule: "webdav.dll",
  AnonymousAuthenticationModule: "authanon.dll",
  BasicAuthenticationModule: "authbas.dll",
  CertificateMappingAuthenticationModule: "authcert.dll",
  DigestAuthenticationModule: "authmd5.dll",
  IISCertificateMappingAuthenticationModule: "authmap.dll",
  UrlAuthorizationModule: "urlauthz.dll",
  WindowsAuthenticationModule: "authsspi.dll",
  IpRestrictionModule: "iprestr.dll",
  DynamicIpRestrictionModule: "diprestr.dll",
  CgiModule: "cgi.dll",
  DefaultDocumentModule: "defdoc.dll",
  DirectoryListingModule: "dirlist.dll",
  IsapiModule: "isapi.dll",
  IsapiFilterModule: "filter.dll",
  ServerSideIncludeModule: "iis_ssi.dll",
  StaticFileModule: "static.dll",
  FastCgiModule: "iisfcgi.dll",
  DynamicCompressionModule: "compdyn.dll",
  StaticCompressionModule: "compstat.dll",
  FileCacheModule: "cachfile.dll",
  HttpCacheModule: "cachhttp.dll",
  TokenCacheModule: "cachtokn.dll",
  UriCacheModule: "cachuri.dll",
  CustomLoggingModule: "logcust.dll",
  FailedRequestsTracingModule: "iisfreb.dll",
  HttpLoggingModule: "loghttp.dll",
  RequestMonitorModule: "iisreqs.dll",
  TracingModule: "iisetw.dll",
  ConfigurationValidationModule: "validcfg.dll",
  WebSocketModule: "iiswsock.dll",
  ApplicationInitializationModule: "warmup.dll",
  AspNetCoreModule: "aspnetcore.dll",
  AspNetCoreModuleV2: "asp.net core module\\v2\\aspnetcorev2.dll",
  ManagedEngine: "\\microsoft.net\\framework\\v2.0.50727\\webengine.dll",
  ManagedEngine64: "\\microsoft.net\\framework64\\v2.0.50727\\webengine.dll",
  "ManagedEngineV4.0_32bit": "\\microsoft.net\\framework\\v4.0.30319\\webengine4.dll",
  "ManagedEngineV4.0_64bit": "\\microsoft.net\\framework64\\v4.0.30319\\webengine4.dll",
};

/** Folders whose modules are IIS's or .NET's own (under %windir%). */
const IIS_FOLDERS = ["\\windows\\system32\\inetsrv\\", "\\windows\\syswow64\\inetsrv\\", "\\windows\\microsoft.net\\framework\\", "\\windows\\microsoft.net\\framework64\\"];

/** Folders a non-administrator (a web shell's app pool identity, any user) can write to. */
const USER_WRITABLE = ["\\programdata\\", "\\users\\", "\\temp\\", "\\tmp\\", "\\appdata\\", "\\windows\\temp\\", "\\windows\\tasks\\", "\\windows\\tracing\\", "\\perflogs\\", "\\$recycle.bin\\", "\\inetpub\\temp\\"];

/** Environment variables an image may start with, as the folder they stand for (drive-less, lower case). */
const ENVIRONMENT: Record<string, string> = {
  "%windir%": "\\windows",
  "%systemroot%": "\\windows",
  "%iis_bin%": "\\windows\\system32\\inetsrv",
  "%programdata%": "\\programdata",
  "%allusersprofile%": "\\programdata",
  "%public%": "\\users\\public",
  "%userprofile%": "\\users\\%user%",
  "%appdata%": "\\users\\%user%\\appdata\\roaming",
  "%localappdata%": "\\users\\%user%\\appdata\\local",
  "%temp%": "\\temp",
  "%tmp%": "\\temp",
  "%systemdrive%": "",
};

/** An image path, lower case, without its drive, environment variables expanded, `/` as `\`: `\windows\…\x.dll`. */
export function normalizedImage(image: string): string {
  let path = image.trim().replace(/^"|"$/g, "").replace(/\//g, "\\").toLowerCase();
  const variable = /^%[a-z_]+%/.exec(path)?.[0];
  if (variable && variable in ENVIRONMENT) path = ENVIRONMENT[variable] + path.slice(variable.length);
  return path.replace(/^\\\\\?\\/, "").replace(/^[a-z]:/, "").replace(/\\{2,}/g, "\\");
}

/** A path's file name without `.dll`, in its own case. */
const fileStem = (path: string) => path.slice(path.replace(/\//g, "\\").lastIndexOf("\\") + 1).replace(/\.dll$/i, "");
const squash = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, "");

/** Whether a and b differ by at most one insertion, deletion, substitution or swap of neighbours. */
export function withinOneEdit(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (a.slice(i + 1) === b.slice(i + 1) || a.slice(i) === b.slice(i + 1) || a.slice(i + 1) === b.slice(i)) return true;
  return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
}

const BUILTIN_BY_SQUASHED = new Map(Object.entries(BUILTIN_MODULES).map(([name, image]) => [squash(name), { name, image }]));
/** A suffix that makes a name look like a variant of a built-in (DoorMe's FastCgiModule_64bit). */
const VARIANT_SUFFIX = /^(?:v?\d+(?:\.\d+)*)?(?:x?64|x?86|32|64bit|32bit|amd64|wow64|new|ex|v\d+)?$/;

/** The built-in module a name imitates (same name, one edit away, or a bitness/version variant), or null. */
export function imitatedBuiltin(name: string): { name: string; image: string; exact: boolean } | null {
  const squashed = squash(name);
  if (squashed.length < 6) return null;
  const exact = BUILTIN_BY_SQUASHED.get(squashed);
  if (exact) return { ...exact, exact: true };
  for (const [builtin, entry] of BUILTIN_BY_SQUASHED) {
    if (withinOneEdit(squashed, builtin)) return { ...entry, exact: false };
    if (squashed.startsWith(builtin) && VARIANT_SUFFIX.test(squashed.slice(builtin.length))) return { ...entry, exact: false };
  }
  return null;
}

/** Whether an image is the built-in's own DLL (inetsrv's or, for the managed engines, .NET's). */
function isBuiltinImage(image: string, builtinImage: string): boolean {
  const path = normalizedImage(image);
  if (builtinImage.startsWith("\\")) return path === `\\windows${builtinImage}`;
  return IIS_FOLDERS.slice(0, 2).some((folder) => path === folder + builtinImage);
}

/** A module a result names: from Event 29 its name and (globalModules) image, from 2282's family the DLL. */
export interface ModuleSighting {
  name?: string;
  image?: string;
}

/** The modules a result's enrichment names: modules added (not removed: removing is no provenance) and DLLs failing. */
export function moduleSightings(enrichment: StoredEnrichment): ModuleSighting[] {
  const added = (enrichment.changes ?? []).filter((c) => c.kind === "module_added").map((c) => ({ name: c.module, image: c.image }));
  const failing = (enrichment.failures ?? []).filter((f) => f.moduleDll).map((f) => ({ image: f.moduleDll! }));
  return ([...added, ...failing] as ModuleSighting[]).filter((m) => m.name || m.image);
}

const listed = (items: string[]) => [...new Set(items)].join(", ");

/** The factors a result's modules carry by themselves: where their images are, and whose names they borrow. */
export function provenanceFactors(sightings: readonly ModuleSighting[]): RiskFactor[] {
  const make = (factor: RiskFactorName, why: string): RiskFactor => ({ factor, points: RISK_FACTORS[factor].points, why });
  const images = sightings.map((s) => s.image).filter((i): i is string => !!i);
  const factors: RiskFactor[] = [];
  const writable = images.filter((i) => USER_WRITABLE.some((folder) => normalizedImage(i).includes(folder)));
  if (writable.length) factors.push(make("image_in_user_writable_path", `${listed(writable)}: a folder any user or a web shell can write to`));
  const outside = images.filter((i) => !IIS_FOLDERS.some((folder) => normalizedImage(i).startsWith(folder)));
  if (outside.length) factors.push(make("image_outside_iis_folders", `${listed(outside)} is not under %windir%\\System32\\inetsrv or the .NET Framework folders`));
  const imitations: string[] = [];
  for (const s of sightings) {
    for (const [what, candidate] of [
      ["name", s.name],
      ["DLL name", s.image ? fileStem(s.image.trim()) : undefined],
    ] as const) {
      const builtin = candidate ? imitatedBuiltin(candidate) : null;
      if (!builtin || !candidate) continue;
      // The built-in itself (enabled by name, or installed from its own DLL) imitates nothing.
      if (builtin.exact && (!s.image || isBuiltinImage(s.image, builtin.image))) continue;
      imitations.push(`${what} ${candidate} ${builtin.exact ? "is" : "resembles"} the built-in ${builtin.name}${s.image ? ` but the image is ${s.image}` : ""}`);
    }
  }
  if (imitations.length) factors.push(make("imitates_builtin_module", listed(imitations)));
  return factors;
}

interface HistoryRow {
  result_id: string;
  module: string;
  /** Hosts with a result naming the module by this result's last event (this host included). */
  hosts_with: number;
  /** IIS hosts known by then (their first event no later). */
  fleet: number;
  /** No earlier result on this host names the module. */
  first_on_host: boolean;
}

/**
 * Fleet prevalence and first sighting of each module the given results name, over the results stored (by event
 * time): a module is rare when only this host has a result naming it by the result's last event, among at least
 * MIN_FLEET_FOR_PREVALENCE IIS hosts whose events had begun by then; it is first seen when no result on the host
 * names it with a first event in an earlier second. Names compare case-insensitively (module_names: names added, DLLs
 * failing).
 */
export async function historyFactors(client: pg.ClientBase, resultIds: readonly string[]): Promise<Map<string, RiskFactor[]>> {
  const rows = await query<HistoryRow>(
    sql`WITH mine AS (
       SELECT r.id, r.dest_id, r.first_time, r.last_time, min(x.name) AS module, lower(x.name) AS key
       FROM detection_results r CROSS JOIN LATERAL jsonb_array_elements_text(r.module_names) AS x(name)
       WHERE r.id = ANY(${resultIds}::bigint[])
       GROUP BY r.id, r.dest_id, r.first_time, r.last_time, lower(x.name)
     ), sightings AS (
       SELECT o.id, o.dest_id, o.first_time, lower(x.name) AS key
       FROM detection_results o CROSS JOIN LATERAL jsonb_array_elements_text(o.module_names) AS x(name)
       WHERE jsonb_array_length(o.module_names) > 0 AND lower(x.name) IN (SELECT key FROM mine)
     )
     SELECT m.id::text AS result_id, m.module,
       (SELECT count(DISTINCT s.dest_id)::int FROM sightings s WHERE s.key = m.key AND s.first_time <= m.last_time) AS hosts_with,
       (SELECT count(*)::int FROM hosts h WHERE h.iis_events > 0 AND h.first_event <= m.last_time) AS fleet,
       -- To the second: classic text and CSV exports carry no finer time, and the factor must not depend on the format.
       NOT EXISTS (SELECT 1 FROM sightings s WHERE s.key = m.key AND s.dest_id = m.dest_id
                     AND date_trunc('second', s.first_time) < date_trunc('second', m.first_time)) AS first_on_host
     FROM mine m ORDER BY m.id, m.key`,
    client,
  );
  const byResult = new Map<string, { rare: string[]; fleet: number; first: string[] }>();
  for (const r of rows) {
    const entry = byResult.get(r.result_id) ?? { rare: [], fleet: 0, first: [] };
    if (r.hosts_with <= 1 && r.fleet >= MIN_FLEET_FOR_PREVALENCE) entry.rare.push(r.module);
    entry.fleet = Math.max(entry.fleet, r.fleet);
    if (r.first_on_host) entry.first.push(r.module);
    byResult.set(r.result_id, entry);
  }
  const factors = new Map<string, RiskFactor[]>();
  for (const [id, e] of byResult) {
    const list: RiskFactor[] = [];
    if (e.rare.length) list.push({ factor: "rare_in_fleet", points: RISK_FACTORS.rare_in_fleet.points, why: `${listed(e.rare)} on 1 host of ${e.fleet}` });
    if (e.first.length) list.push({ factor: "first_seen_on_host", points: RISK_FACTORS.first_seen_on_host.points, why: `${listed(e.first)} never named on this host before` });
    factors.set(id, list);
  }
  return factors;
}
