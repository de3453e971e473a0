// ESCU "Windows IIS Components Module Failed to Load" v5 (sec-js/security_content @a235fbe4, identical search to
// v3 in splunk/security_content @b13b314a). Text fields are verbatim from the YAML.
import { WINEVENTLOG_APPLICATION } from "../macros";
import { countFirstLastBy, ESCU_DRILLDOWNS, ESCU_SCHEDULE, FIRST_LAST_CTIME, IIS_COMPONENTS_REFERENCES, IIS_COMPONENTS_TAGS, iisModuleRba } from "./common";

export const windowsIisComponentsModuleFailedToLoad = {
  id: "40c2ba5b-dd6a-496b-9e6e-c9524d0be167",
  name: "Windows IIS Components Module Failed to Load",
  version: 5,
  date: "2025-02-10",
  author: "Michael Haag, Splunk",
  status: "production",
  type: "Anomaly",
  description:
    "The following analytic detects when an IIS Module DLL fails to load due to a configuration problem, identified by EventCode 2282. This detection leverages Windows Application event logs to identify repeated failures in loading IIS modules. Such failures can indicate misconfigurations or potential tampering with IIS components. If confirmed malicious, this activity could lead to service disruptions or provide an attacker with opportunities to exploit vulnerabilities within the IIS environment. Immediate investigation is required to determine the legitimacy of the failing module and to mitigate any potential security risks.",
  dataSource: ["Windows Event Log Application 2282"],
  search:
    "`wineventlog_application` EventCode=2282 | stats  count min(_time) as firstTime max(_time) as lastTime by  EventCode dest Name ModuleDll | `security_content_ctime(firstTime)` | `security_content_ctime(lastTime)` | `windows_iis_components_module_failed_to_load_filter`",
  howToImplement: "IIS must be installed and Application event logs must be collected in order to utilize this analytic.",
  knownFalsePositives: "False positives will be present until all module failures are resolved or reviewed.",
  references: [
    "https://social.technet.microsoft.com/wiki/contents/articles/21757.event-id-2282-iis-worker-process-availability.aspx",
    ...IIS_COMPONENTS_REFERENCES,
  ],
  provenance:
    "detections/endpoint/windows_iis_components_module_failed_to_load.yml v5 (sec-js/security_content @a235fbe4). " +
    "Score 25 (v5; v8 of 2026 lowers it to 20, which an admin can set). The risk message is ESCU's own, copied " +
    "from New Module Added in every version. tags.mitre_attack_id keeps T1505 (listed up to v3) beside T1505.004.",
  tags: IIS_COMPONENTS_TAGS,
  // contentctl's values for an Anomaly endpoint detection of a Persistence technique (DE.AE for anomalies).
  frameworks: { cis20: ["CIS 10"], nist: ["DE.AE"], killChainPhases: ["Installation"] },
  rba: iisModuleRba(25),
  drilldownSearches: ESCU_DRILLDOWNS,
  deployment: { ...ESCU_SCHEDULE, rba: { enabled: true }, notable: null },
  structuredSearch: {
    macro: WINEVENTLOG_APPLICATION,
    where: [{ field: "EventCode", value: "2282" }],
    stats: countFirstLastBy("EventCode", "dest", "Name", "ModuleDll"),
    rename: [],
    ctime: FIRST_LAST_CTIME,
    filterMacro: "windows_iis_components_module_failed_to_load_filter",
  },
  enrichment: { kind: "iis-module-load-failure", dataFields: ["ModuleDll", "ProcessorArchitecture", "Binary"] },
} as const;
