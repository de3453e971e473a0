// Public API of triage: the notables workflow (status, owner, disposition, comments, bulk), asset priority and
// urgency, and false-positive suppressions (the detections' `_filter` macros).
export * from "./fields";
export {
  assignableOwners,
  commentOnNotable,
  getNotable,
  listNotables,
  MAX_BULK,
  notableIdsMatching,
  setHostPriority,
  updateNotables,
  type NotableRow,
} from "./notables";
export {
  createSuppression,
  draftForDetection,
  draftFromNotable,
  draftFromResult,
  filterMacros,
  getSuppression,
  listSuppressions,
  orderedMatch,
  previewSuppression,
  setSuppressionEnabled,
  TriageError,
  updateSuppression,
  validateSuppression,
  type FilterMacro,
  type SuppressionDraft,
  type SuppressionFilter,
  type SuppressionPreview,
  type SuppressionRow,
} from "./suppressions";
