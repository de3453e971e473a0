// Stable event identity, so that re-uploads and overlapping exports store each event once.
//
// Windows numbers the records of each log (EventRecordID), so host + channel + record id identifies an event;
// the event code and the time (to the second: classic text has no finer clock) guard against a log that was
// cleared and started numbering again. Exports without record ids (Event Viewer CSV, some JSON) fall back to
// the event's full content.
import { createHash } from "node:crypto";
import type { NormalizedEvent } from "./event";

function canonicalData(data: Record<string, string | null>): string {
  return JSON.stringify(Object.keys(data).sort().map((k) => [k, data[k]]));
}

export function eventKey(e: NormalizedEvent): string {
  const hash = createHash("sha256");
  const second = Math.floor(e.time.getTime() / 1000);
  const base = [e.host.toLowerCase(), e.channel.toLowerCase(), e.eventCode, second];
  if (e.recordId !== null) {
    hash.update(JSON.stringify(["r", ...base, e.recordId]));
  } else {
    hash.update(JSON.stringify(["c", ...base, e.provider.toLowerCase(), e.timeCreated, e.message, canonicalData(e.data)]));
  }
  return hash.digest("base64url");
}
