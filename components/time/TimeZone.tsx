"use client";
// Times are shown in UTC (what event logs and Splunk's ctime use), with a switch to the browser's local time.
// The choice is remembered in this browser.
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

/** A time in the chosen zone; the full original text (sub-millisecond, UTC) is in its tooltip. */
export function Time({ iso, title, millis = false }: { iso: string | null | undefined; title?: string | null; millis?: boolean }) {
  const { zone } = useContext(ZoneContext);
  if (!iso) return <span className="muted">—</span>;
  return (
    <time dateTime={iso} title={title ?? iso} className="mono nowrap">
      {formatTime(iso, zone, millis)}
    </time>
  );
}

export function useTimeZone(): Zone {
  return useContext(ZoneContext).zone;
}
