// When the detections see newly stored events. By default on Enterprise Security's schedule: a window
// [-70m@m, -10m@m) is searched once its hourly run time has come, so a module installed now becomes a notable
// 10–70 minutes later. IISWATCH_DETECTIONS=nrt runs each upload's (each HEC or _bulk batch's) windows as soon as the
// batch is stored instead, before they are due (runs.ts runForNewEvents): the same windows, the same engine and the
// same ledger of counted events, so the scheduled run of the window reports nothing again.

export const DETECTION_TIMINGS = ["scheduled", "nrt"] as const;
export type DetectionTiming = (typeof DETECTION_TIMINGS)[number];

/** IISWATCH_DETECTIONS: `scheduled` (default) or `nrt`; anything else is a configuration error, said at once. */
export function detectionTiming(env: Record<string, string | undefined> = process.env): DetectionTiming {
  const value = (env.IISWATCH_DETECTIONS ?? "").trim().toLowerCase();
  if (value === "") return "scheduled";
  if ((DETECTION_TIMINGS as readonly string[]).includes(value)) return value as DetectionTiming;
  throw new Error(`IISWATCH_DETECTIONS must be one of ${DETECTION_TIMINGS.join(", ")} (got '${value.slice(0, 40)}')`);
}
