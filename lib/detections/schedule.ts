// Enterprise Security scheduling: a correlation search runs on its cron schedule (ESCU: `0 * * * *`) over the
// event-time window [earliest, latest) relative to the scheduled time (ESCU: `-70m@m` to `-10m@m`). Times are UTC.

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
type Unit = keyof typeof UNIT_MS;

/**
 * Applies a Splunk relative time modifier such as `-70m@m` (offset, then snap down to the unit) to `base`.
 * Supports offsets and snaps in s, m, h and d, which is what ESCU deployments use.
 */
export function applyRelativeTime(base: Date, modifier: string): Date {
  const m = /^([+-]\d+)(s|m|h|d)?(?:@(s|m|h|d))?$/.exec(modifier.trim());
  if (!m) throw new Error(`unsupported relative time modifier '${modifier}'`);
  const [, amount, unit = "s", snap] = m;
  let t = base.getTime() + Number(amount) * UNIT_MS[unit as Unit];
  if (snap) t = Math.floor(t / UNIT_MS[snap as Unit]) * UNIT_MS[snap as Unit];
  return new Date(t);
}

export interface Schedule {
  cron: string;
  earliest: string;
  latest: string;
}

export interface RunWindow {
  /** The scheduled time: risk events and notables take it as their _time. */
  runTime: Date;
  /** Event time, inclusive. */
  start: Date;
  /** Event time, exclusive (Splunk's latest). */
  end: Date;
}

export function windowForRun(schedule: Schedule, runTime: Date): RunWindow {
  return { runTime, start: applyRelativeTime(runTime, schedule.earliest), end: applyRelativeTime(runTime, schedule.latest) };
}

/** A cron expression restricted to its minute and hour fields (day, month and weekday `*`), as ESCU uses. */
interface HourlyCron {
  minutes: number[];
  hours: Set<number>;
}

function cronField(text: string, min: number, max: number): number[] {
  const values = new Set<number>();
  for (const part of text.split(",")) {
    const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
    if (!m) throw new Error(`unsupported cron field '${text}'`);
    const from = m[1] === "*" ? min : Number(m[2]);
    const to = m[1] === "*" ? max : m[3] !== undefined ? Number(m[3]) : m[4] ? max : from;
    const step = m[4] ? Number(m[4]) : 1;
    if (from < min || to > max || from > to || step < 1) throw new Error(`cron field '${text}' out of range`);
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return [...values].sort((a, b) => a - b);
}

function parseCron(cron: string): HourlyCron {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5 || fields.slice(2).some((f) => f !== "*")) {
    throw new Error(`unsupported cron '${cron}': only the minute and hour fields may be restricted`);
  }
  return { minutes: cronField(fields[0], 0, 59), hours: new Set(cronField(fields[1], 0, 23)) };
}

/** Every scheduled time t with from <= t <= to, in order. */
export function cronTimesBetween(cron: string, from: Date, to: Date): Date[] {
  const { minutes, hours } = parseCron(cron);
  const out: Date[] = [];
  for (let hour = Math.floor(from.getTime() / UNIT_MS.h) * UNIT_MS.h; hour <= to.getTime(); hour += UNIT_MS.h) {
    if (!hours.has(new Date(hour).getUTCHours())) continue;
    for (const minute of minutes) {
      const t = hour + minute * UNIT_MS.m;
      if (t >= from.getTime() && t <= to.getTime()) out.push(new Date(t));
    }
  }
  return out;
}

/** The latest scheduled time at or before `now`. */
export function previousCronTime(cron: string, now: Date): Date {
  const times = cronTimesBetween(cron, new Date(now.getTime() - 25 * UNIT_MS.h), now);
  if (times.length === 0) throw new Error(`cron '${cron}' never fires`);
  return times[times.length - 1];
}

/**
 * The scheduled runs whose windows can contain events with times in [from, to]: runs whose window starts at or
 * before `to` and ends after `from`. The caller narrows them to the windows that really hold events.
 */
export function runWindowsCovering(schedule: Schedule, from: Date, to: Date): RunWindow[] {
  // How far the window lies before its run time, from the modifiers themselves (snapping moves it by < 1 unit).
  const probe = new Date(Date.UTC(2000, 0, 1));
  const startLag = probe.getTime() - applyRelativeTime(probe, schedule.earliest).getTime();
  const endLag = probe.getTime() - applyRelativeTime(probe, schedule.latest).getTime();
  const slack = UNIT_MS.d; // generous bound on snapping; windows outside [from, to] are filtered below
  const candidates = cronTimesBetween(schedule.cron, new Date(from.getTime() + endLag - slack), new Date(to.getTime() + startLag + slack));
  return candidates.map((t) => windowForRun(schedule, t)).filter((w) => w.start.getTime() <= to.getTime() && w.end.getTime() > from.getTime());
}

/** Whether two windows share any event time. */
export function windowsOverlap(a: RunWindow, b: RunWindow): boolean {
  return a.start < b.end && b.start < a.end;
}

/**
 * Splits windows into batches of pairwise disjoint windows (ordered by start). One statement may run a batch,
 * because no event can fall in two of its windows; overlapping windows go to later batches so that each sees
 * what the earlier ones reported.
 */
export function disjointBatches(windows: RunWindow[]): RunWindow[][] {
  const sorted = [...windows].sort((a, b) => a.start.getTime() - b.start.getTime() || a.runTime.getTime() - b.runTime.getTime());
  const batches: RunWindow[][] = [];
  for (const w of sorted) {
    const batch = batches.find((b) => !windowsOverlap(b[b.length - 1], w));
    if (batch) batch.push(w);
    else batches.push([w]);
  }
  return batches;
}
