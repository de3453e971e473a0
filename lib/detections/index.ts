// Public API of the detection engine, for the UI, the HTTP API and the CLI.
export { getDetection, listDetections, updateDetectionSetting, UnknownDetectionError, type Detection, type SettingChange } from "./settings";
export { replayHistory, runAdhoc, runDue, runForNewEvents, runScheduled, type AdhocOptions, type AdhocResult, type ReplayOptions } from "./runs";
export { catchUpEvaluations, evaluateUpload, uploadsNeedingEvaluation, type UploadEvaluationOutcome } from "./evaluate";
export { activeSuppressionMatches, contributingEvents, detectionActivity, getResult, listResults, listRuns, resultRowJson, splFieldOrder, type ResultFilter, type ResultJson, type ResultRow, type RunFilter } from "./queries";
export { filterMacroDefinition, DEFAULT_FILTER_DEFINITION } from "./filter";
export { detectionCoverage, type DetectionCoverage } from "./coverage";
export { DETECTION_SPECS, specById } from "./specs";
export { filterMacroName, searchName, sourceLabel, type DetectionSpec } from "./spec";
export type { RunSummary, SearchRow } from "./engine";
export type { Enrichment, ConfigurationChange, ModuleLoadFailure } from "./enrichment";
