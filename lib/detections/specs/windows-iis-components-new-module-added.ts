// ESCU "Windows IIS Components New Module Added" v5 (sec-js/security_content @a235fbe4, identical search to v3 in
// splunk/security_content @b13b314a). Text fields are verbatim from the YAML.
import { IIS_OPERATIONAL_LOGS } from "../macros";
import { countFirstLastBy, ESCU_DRILLDOWNS, ESCU_SCHEDULE, FIRST_LAST_CTIME, IIS_COMPONENTS_REFERENCES, IIS_COMPONENTS_TAGS, iisModuleRba } from "./common";

export const windowsIisComponentsNewModuleAdded = {
  id: "55f22929-cfd3-4388-ba5c-4d01fac7ee7e",
  name: "Windows IIS Components New Module Added",
  version: 5,
  date: "2025-02-10",
  author: "Michael Haag, Splunk",
  status: "production",
  type: "TTP",
  description:
    "The following analytic detects the addition of new IIS modules on a Windows IIS server. It leverages the Windows Event log - Microsoft-IIS-Configuration/Operational, specifically EventCode 29, to identify this activity. This behavior is significant because IIS modules are rarely added to production servers, and unauthorized modules could indicate malicious activity. If confirmed malicious, an attacker could use these modules to execute arbitrary code, escalate privileges, or maintain persistence within the environment, potentially compromising the server and sensitive data.",
  dataSource: ["Windows IIS 29"],
  search:
    "`iis_operational_logs` EventCode=29 | stats  count min(_time) as firstTime max(_time) as lastTime by OpCode EventCode ComputerName Message | rename ComputerName AS dest | `security_content_ctime(firstTime)` | `security_content_ctime(lastTime)` | `windows_iis_components_new_module_added_filter`",
  howToImplement:
    "You must enabled the IIS Configuration Operational log before ingesting in Splunk. Setup and inputs may be found here https://gist.github.com/MHaggis/64396dfd9fc3734e1d1901a8f2f07040.",
  knownFalsePositives: "False positives may be present when updates or an administrator adds a new module to IIS. Monitor and filter as needed.",
  references: ["https://gist.github.com/MHaggis/64396dfd9fc3734e1d1901a8f2f07040", ...IIS_COMPONENTS_REFERENCES],
  provenance:
    "detections/endpoint/windows_iis_components_new_module_added.yml v5 (sec-js/security_content @a235fbe4). " +
    "tags.mitre_attack_id keeps T1505 (listed up to v3) beside v5's T1505.004, so rollups by technique see both; " +
    "the score (48) is also the tags-era impact 60 x confidence 80 / 100.",
  tags: IIS_COMPONENTS_TAGS,
  // contentctl's values for a TTP endpoint detection of a Persistence technique (as in the Risk data model's
  // example_log: CIS 10, DE.CM, and kill chain Installation for Persistence).
  frameworks: { cis20: ["CIS 10"], nist: ["DE.CM"], killChainPhases: ["Installation"] },
  rba: iisModuleRba(48),
  drilldownSearches: ESCU_DRILLDOWNS,
  deployment: {
    ...ESCU_SCHEDULE,
    rba: { enabled: true },
    notable: { ruleTitle: "%name%", ruleDescription: "%description%", nesFields: ["user", "dest"] },
  },
  structuredSearch: {
    macro: IIS_OPERATIONAL_LOGS,
    where: [{ field: "EventCode", value: "29" }],
    stats: countFirstLastBy("OpCode", "EventCode", "ComputerName", "Message"),
    rename: [{ from: "ComputerName", to: "dest" }],
    ctime: FIRST_LAST_CTIME,
    filterMacro: "windows_iis_components_new_module_added_filter",
  },
  enrichment: {
    kind: "iis-configuration-change",
    dataFields: ["Configuration", "ConfigPath", "EditOperationType", "OldValue", "NewValue", "PhysicalPath"],
  },
} as const;
