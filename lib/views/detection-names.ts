// Short display names of the detections, for tables and charts.
import { listDetections } from "../detections";

export const shortName = (name: string) => name.replace(/^Windows IIS Components /, "");

export async function detectionNames(): Promise<Record<string, string>> {
  return Object.fromEntries((await listDetections()).map((d) => [d.spec.id, shortName(d.spec.name)]));
}
