// Risk that counts. A risk event whose result a suppression now hides (lib/detections/suppressed.ts) no longer
// counts anywhere — rollups, thresholds, drilldowns — until the suppression is disabled or expires. Every risk read
// goes through this one definition.
import { suppressedNow } from "../detections/suppressed";
import { sql } from "../db/sql";

/** SQL for a subquery yielding the risk_events rows that count (use as `FROM (${EFFECTIVE_RISK_EVENTS}) re`). */
export const EFFECTIVE_RISK_EVENTS = sql`SELECT * FROM risk_events re WHERE NOT ${suppressedNow("re")}`;
