"use client";
// Times are shown in UTC (what event logs and Splunk's ctime use), with a switch to the browser's local time.
// The choice is remembered in this browser. Every time says its zone: a column of times in its heading
// (ZoneHeading over `<Time zoneInHeading>`), a free-standing time or span (Time, TimeRange) after itself.
import { createContext, useContext, useSyncExternalStore } from "react";

type Zone = "utc" | "local";
const ZoneContext = createContext<{ zone: Zone; setZone: (z: Zone) => void }>({ zone: "utc", setZone: () => {} });
const STORAGE_KEY = "iiswatch.timezone";

// The preference lives in localStorage; useSyncExternalStore reads it after hydration (the server renders UTC).
const listeners = new Set<() => void>();
function subscribe(listener: () => void) {
  listeners.add(listener);
  window.addEventListener("storage", listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener("storage", listener);
  };
}
const readZone = (): Zone => (window.localStorage.getItem(STORAGE_KEY) === "local" ? "local" : "utc");

export function TimeZoneProvider({ children }: { children: React.ReactNode }) {
  const zone = useSyncExternalStore(subscribe, readZone, () => "utc" as Zone);
  const setZone = (z: Zone) => {
    window.localStorage.setItem(STORAGE_KEY, z);
    for (const listener of listeners) listener();
  };
  return <ZoneContext.Provider value={{ zone, setZone }}>{children}</ZoneContext.Provider>;
}

export function TimeZoneSwitch() {
  const { zone, setZone } = useContext(ZoneContext);
  return (
    <button type="button" onClick={() => setZone(zone === "utc" ? "local" : "utc")} aria-label={`Times shown in ${zone === "utc" ? "UTC" : "local time"}: switch`} title="Switch between UTC and local time">
      {zone === "utc" ? "UTC" : "Local time"}
    </button>
  );
}

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

export function formatTime(iso: string, zone: Zone, withMillis = false): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  if (zone === "utc") {
    const s = d.toISOString().replace("T", " ");
    return withMillis ? s.replace("Z", "") : s.slice(0, 19);
  }
  const s = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  return withMillis ? `${s}.${pad(d.getMilliseconds(), 3)}` : s;
}

/** "UTC+01:00": the local zone's offset from UTC at `d` (it changes with daylight saving time). */
function utcOffset(d: Date): string {
  const minutes = -d.getTimezoneOffset();
  const sign = minutes < 0 ? "-" : "+";
  return `UTC${sign}${pad(Math.floor(Math.abs(minutes) / 60))}:${pad(Math.abs(minutes) % 60)}`;
}

/**
 * The zone times are shown in, as a heading or caption says it: "UTC", or "local, UTC+01:00" — or, where the local
 * offset changes over the year (daylight saving time), "local, Europe/Berlin", since one offset would be wrong for
 * half the times below it.
 */
export function zoneName(zone: Zone, now = new Date()): string {
  if (zone === "utc") return "UTC";
  const year = now.getFullYear();
  const winter = utcOffset(new Date(year, 0, 1));
  const summer = utcOffset(new Date(year, 6, 1));
  if (winter === summer) return `local, ${winter}`;
  return `local, ${Intl.DateTimeFormat().resolvedOptions().timeZone ?? `${winter}/${summer}`}`;
}

/**
 * A column heading, caption or label that names the zone of the times under it and follows the switch: "Time (UTC)".
 * The times under it are then `<Time zoneInHeading>`, without a zone of their own.
 */
export function ZoneHeading({ children }: { children: React.ReactNode }) {
  const { zone } = useContext(ZoneContext);
  return (
    <>
      {children} <span className="time-zone">({zoneName(zone)})</span>
    </>
  );
}

/** The zone suffix of a free-standing time: " UTC", or the local offset at that time (" UTC+02:00"). */
function ZoneSuffix({ iso, zone }: { iso: string; zone: Zone }) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return null;
  return (
    <span className="muted time-zone" title={zone === "utc" ? "Coordinated Universal Time" : `local time (${zoneName(zone)})`}>
      {" "}
      {zone === "utc" ? "UTC" : utcOffset(d)}
    </span>
  );
}

/**
 * A time in the chosen zone, saying which zone (unless `zoneInHeading`: a ZoneHeading above it says so); the full
 * original text (sub-millisecond, UTC) is in its tooltip.
 */
export function Time({ iso, title, millis = false, zoneInHeading = false }: { iso: string | null | undefined; title?: string | null; millis?: boolean; zoneInHeading?: boolean }) {
  const { zone } = useContext(ZoneContext);
  if (!iso) return <span className="muted">—</span>;
  const time = (
    <time dateTime={iso} title={title ?? iso} className="mono nowrap">
      {formatTime(iso, zone, millis)}
    </time>
  );
  if (zoneInHeading) return time;
  return (
    <span className="nowrap">
      {time}
      <ZoneSuffix iso={iso} zone={zone} />
    </span>
  );
}

/** A span of time, "from – to", saying its zone once after both (each its own when a change of offset falls between). */
export function TimeRange({ from, to, millis = false }: { from: string | null | undefined; to: string | null | undefined; millis?: boolean }) {
  const { zone } = useContext(ZoneContext);
  const offsetOf = (iso: string | null | undefined) => (iso && zone === "local" ? utcOffset(new Date(iso)) : null);
  if (from && to && offsetOf(from) !== offsetOf(to)) {
    return (
      <>
        <Time iso={from} millis={millis} /> – <Time iso={to} millis={millis} />
      </>
    );
  }
  const last = to ?? from;
  return (
    <>
      <Time iso={from} millis={millis} zoneInHeading /> – <Time iso={to} millis={millis} zoneInHeading />
      {last ? <ZoneSuffix iso={last} zone={zone} /> : null}
    </>
  );
}

export function useTimeZone(): Zone {
  return useContext(ZoneContext).zone;
}
