// The catalog: every detection, built from its YAML and sidecar under ../content (content.ts) and validated once
// at load. Add a detection by adding its YAML and sidecar there and the sidecar's name here (the catalog's order).
import { loadDetectionSpec } from "../content";
import type { DetectionSpec } from "../spec";

const SIDECARS = [
  "windows_iis_components_new_module_added",
  "windows_iis_components_module_failed_to_load",
  // The rest of the ESCU story on uploaded logs: process creation (Sysmon 1 / Security 4688) through Endpoint.Processes…
  "windows_iis_components_add_new_module",
  "windows_disable_windows_event_logging_disable_http_logging",
  "windows_server_software_component_gacutil_install_to_gac",
  // …and PowerShell script blocks (4104).
  "windows_powershell_iis_components_webglobalmodule_usage",
  "windows_powershell_add_module_to_global_assembly_cache",
  "windows_powershell_disable_http_logging",
  // 2282's siblings on the Application log (local detections):
  "windows_iis_module_registration_failed",
  "windows_iis_module_missing_registermodule_entrypoint",
  "windows_iis_module_invalid_precondition",
  "windows_iis_global_modules_list_empty",
  "windows_iis_http_filter_dll_failed_to_load",
  "windows_iis_isapi_application_failed_to_load",
  // SigmaHQ's IIS rules (content/sigma/, DRL 1.1), on the same engine:
  "sigma_win_iis_module_added",
  "sigma_win_iis_module_removed",
  "sigma_win_iis_logging_http_disabled",
  "sigma_win_iis_logging_etw_disabled",
  "sigma_proc_creation_win_iis_appcmd_susp_module_install",
  "sigma_proc_creation_win_iis_susp_module_registration",
  "sigma_proc_creation_win_iis_appcmd_http_logging",
];

export const DETECTION_SPECS: readonly DetectionSpec[] = SIDECARS.map(loadDetectionSpec);

export function specById(id: string): DetectionSpec | undefined {
  return DETECTION_SPECS.find((s) => s.id === id);
}
