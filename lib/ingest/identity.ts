// Stable event identity, so that re-uploads and overlapping exports store each event once.
//
// Windows numbers the records of each log (EventRecordID), so host + channel + record id identifies an event;
// the event code and the time (to the second: classic text has no finer clock) guard against a log that was
// cleared and started numbering again. Exports without record ids (Event Viewer CSV, some JSON) fall back to
// the event's full content.
import crypto from "node:crypto";
import type { NormalizedEvent } from "./event";

function canonicalData(data: Record<string, string | null>): string {
  return JSON.stringify(Object.keys(data).sort().map((k) => [k, data[k]]));
}

// One-shot hashing (Node >= 20.12) skips the Hash object a key would otherwise cost; same digest either way.
const sha256 = (text: string): string =>
  typeof crypto.hash === "function" ? crypto.hash("sha256", text, "base64url") : crypto.createHash("sha256").update(text).digest("base64url");

/** Characters JSON.stringify escapes in a string: quote, backslash, controls, and surrogates (when lone). */
const JSON_ESCAPED = /["\\\u0000-\u001f\ud800-\udfff]/;

/** JSON.stringify(s), without calling it for the usual text that has nothing to escape. */
const jsonString = (s: string) => (JSON_ESCAPED.test(s) ? JSON.stringify(s) : `"${s}"`);

export function eventKey(e: NormalizedEvent): string {
  const second = Math.floor(e.time.getTime() / 1000);
  if (e.recordId !== null) {
    // The JSON of ["r", host, channel, eventCode, second, recordId], written out: this runs for every event.
    // (The numbers are finite integers, whose JSON is their String().)
    return sha256(`["r",${jsonString(e.host.toLowerCase())},${jsonString(e.channel.toLowerCase())},${e.eventCode},${second},${e.recordId}]`);
  }
  const base = [e.host.toLowerCase(), e.channel.toLowerCase(), e.eventCode, second];
  return sha256(JSON.stringify(["c", ...base, e.provider.toLowerCase(), e.timeCreated, e.message, canonicalData(e.data)]));
}
