// Time ranges of the views, from the URL: ?range=24h|7d|30d|all|custom&from=…&to=… (ISO times).
import { z } from "zod";

export const RANGES = ["24h", "7d", "30d", "all", "custom"] as const;
export type RangeKey = (typeof RANGES)[number];

const HOURS: Record<Exclude<RangeKey, "all" | "custom">, number> = { "24h": 24, "7d": 168, "30d": 720 };

const isoTime = z
  .string()
  .trim()
  .max(40)
  .refine((v) => !Number.isNaN(new Date(v).getTime()))
  .transform((v) => new Date(v));

export const rangeParams = z.object({
  range: z.enum(RANGES).catch("7d"),
  from: isoTime.optional().catch(undefined),
  to: isoTime.optional().catch(undefined),
});

export interface TimeRange {
  key: RangeKey;
  from: Date;
  to: Date;
  label: string;
}

/**
 * Resolves a range. "all" spans `bounds` (the data's first and last times); relative ranges end at `now`;
 * a custom range missing an end falls back to the data's bounds.
 */
export function resolveRange(
  input: { range: RangeKey; from?: Date; to?: Date },
  bounds: { first: Date | null; last: Date | null },
  now = new Date(),
): TimeRange {
  const dataEnd = bounds.last ? new Date(bounds.last.getTime() + 1) : now;
  if (input.range === "all") {
    const from = bounds.first ?? new Date(now.getTime() - 24 * 3_600_000);
    return { key: "all", from, to: dataEnd, label: "all time" };
  }
  if (input.range === "custom") {
    const from = input.from ?? bounds.first ?? new Date(now.getTime() - 24 * 3_600_000);
    const to = input.to ?? dataEnd;
    return from < to ? { key: "custom", from, to, label: `${from.toISOString()} – ${to.toISOString()}` } : { key: "custom", from: to, to: from, label: `${to.toISOString()} – ${from.toISOString()}` };
  }
  const hours = HOURS[input.range];
  return { key: input.range, from: new Date(now.getTime() - hours * 3_600_000), to: now, label: `last ${input.range}` };
}

export interface Bounds {
  first: Date | null;
  last: Date | null;
}

/** The span of several sources of data (a host's events and its risk events): the earliest first, the latest last. */
export function unionBounds(...spans: Bounds[]): Bounds {
  const times = (k: keyof Bounds) => spans.map((s) => s[k]).filter((t): t is Date => t !== null).map((t) => t.getTime());
  const firsts = times("first");
  const lasts = times("last");
  return { first: firsts.length ? new Date(Math.min(...firsts)) : null, last: lasts.length ? new Date(Math.max(...lasts)) : null };
}

/** A host whose last event is over 30 days old opens on all of its data rather than on an empty month. */
export function defaultRangeFor(lastEvent: Date | null, now = new Date()): RangeKey {
  return lastEvent !== null && lastEvent.getTime() < now.getTime() - 30 * 86_400_000 ? "all" : "30d";
}

/** The last 24 hours as `datetime-local` input values (UTC), for forms that ask for a range. */
export function lastDayInputs(now = new Date()): { from: string; to: string } {
  return { from: new Date(now.getTime() - 86_400_000).toISOString().slice(0, 16), to: now.toISOString().slice(0, 16) };
}
