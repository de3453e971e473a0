// Risk that counts. A risk event whose result a suppression (the detection's `_filter` macro, made visible)
// now matches no longer counts anywhere — rollups, thresholds, drilldowns — from the moment the suppression is
// saved; disabling the suppression brings it back. Every risk read goes through this one definition.
import { suppressedSql } from "../detections/filter";

/** SQL for a subquery yielding the risk_events rows that count (use as `FROM (${EFFECTIVE_RISK_EVENTS}) re`). */
export const EFFECTIVE_RISK_EVENTS = `SELECT * FROM risk_events re WHERE NOT ${suppressedSql("re.detection_id", "re.fields")}`;

/** SQL boolean: whether the detection result aliased `r` is hidden by an active suppression. */
export const RESULT_SUPPRESSED = suppressedSql("r.detection_id", "r.fields");
