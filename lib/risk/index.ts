// Public API of risk: Risk.All_Risk reads and the 7-day drilldown. (What a risk event carries, and notable severity
// and urgency, are the detections' own: lib/detections/rba.ts and severity.ts.)
export { DRILLDOWN_HOURS, riskDrilldown, type RiskDrilldownRow } from "./queries";
export { latestRiskEventTime } from "./rollups";
