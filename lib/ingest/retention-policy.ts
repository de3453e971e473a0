// What is kept: IISWATCH_RETENTION_DAYS days of events (default: everything). lib/pipeline/retention.ts drops the
// partitions past it; the merge (store.ts) refuses events past it, which would only make a partition to drop.

const DAY_MS = 86_400_000;

/** IISWATCH_RETENTION_DAYS: how many days of events to keep; null (unset, empty or 0) keeps everything. */
export function retentionDays(): number | null {
  const configured = (process.env.IISWATCH_RETENTION_DAYS ?? "").trim();
  if (configured === "" || configured === "0") return null;
  const days = Number(configured);
  if (!Number.isInteger(days) || days < 1 || days > 36_500) {
    throw new Error(`IISWATCH_RETENTION_DAYS must be a whole number of days from 1 to 36500, or 0 to keep everything (it is '${configured}')`);
  }
  return days;
}

/** Events dated before this have expired (now minus the retention), or null when everything is kept. */
export function retentionCutoff(now: Date = new Date(), days: number | null = retentionDays()): Date | null {
  return days === null ? null : new Date(now.getTime() - days * DAY_MS);
}
