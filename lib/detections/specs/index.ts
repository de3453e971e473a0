// The catalog: every detection spec, validated once at load. Add a detection by adding a file here.
import { parseDetectionSpec, type DetectionSpec } from "../spec";
import { windowsIisComponentsModuleFailedToLoad } from "./windows-iis-components-module-failed-to-load";
import { windowsIisComponentsNewModuleAdded } from "./windows-iis-components-new-module-added";

export const DETECTION_SPECS: readonly DetectionSpec[] = [windowsIisComponentsNewModuleAdded, windowsIisComponentsModuleFailedToLoad].map(
  parseDetectionSpec,
);

export function specById(id: string): DetectionSpec | undefined {
  return DETECTION_SPECS.find((s) => s.id === id);
}
