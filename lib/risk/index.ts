// Public API of risk: Risk.All_Risk reads, the 7-day drilldown, and notable severity/urgency rules.
export { DRILLDOWN_HOURS, riskDrilldown, type RiskDrilldownRow } from "./queries";
export { latestRiskEventTime } from "./rollups";
export { severityForScore, urgencyFor, SEVERITIES, PRIORITIES, type Severity, type Priority } from "./severity";
export { riskContext, type RiskContext } from "./annotations";
