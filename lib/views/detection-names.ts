// Short display names of the detections, for tables and charts: from the specs themselves, no query.
import { DETECTION_SPECS } from "../detections/specs";

export const shortName = (name: string) => name.replace(/^Windows IIS Components /, "");

export function detectionNames(): Record<string, string> {
  return Object.fromEntries(DETECTION_SPECS.map((spec) => [spec.id, shortName(spec.name)]));
}
