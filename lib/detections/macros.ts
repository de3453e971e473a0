// The ESCU search macros the detections use, verbatim, with their expansion over our event columns.
// Read from shared/samples/*/macros/*.yml; see shared/docs/splunk-semantics.md §3.
import type { SearchMacro } from "./spec";

export const IIS_OPERATIONAL_LOGS: SearchMacro = {
  name: "iis_operational_logs",
  definition: 'sourcetype="IIS:Configuration:Operational"',
  source: "splunk/security_content macros/iis_operational_logs.yml @b13b314a (same in sec-js @a235fbe4)",
  anyOf: [{ field: "sourcetype", value: "IIS:Configuration:Operational" }],
  note: "Ingest gives every event of the Microsoft-IIS-Configuration/Operational channel this sourcetype, whatever its input format.",
};

export const WINEVENTLOG_APPLICATION: SearchMacro = {
  name: "wineventlog_application",
  definition: 'eventtype=wineventlog_application OR source="XmlWinEventLog:Application"',
  source: "splunk/security_content macros/wineventlog_application.yml @b13b314a (same in sec-js @a235fbe4)",
  anyOf: [
    // eventtype wineventlog_application (Splunk_TA_windows 8.1.2 eventtypes.conf):
    { field: "source", value: "WinEventLog:Application" },
    { field: "source", value: "WMI:WinEventLog:Application" },
    { field: "source", value: "XmlWinEventLog:Application" },
    // The 2026 definition also matches Channel="application", which covers exports that name no source.
    { field: "Channel", value: "Application" },
  ],
  note:
    "eventtype=wineventlog_application is source=WinEventLog:Application OR WMI:WinEventLog:Application OR " +
    "XmlWinEventLog:Application (Splunk_TA_windows eventtypes.conf); the 2026 macro adds Channel=\"application\" and " +
    "source=\"WinEventLog:Application\". Values compare case-insensitively, as in Splunk.",
};

/** `security_content_ctime(field)`: epoch -> text in this format (strftime), evaluated in UTC here. */
export const SECURITY_CONTENT_CTIME_FORMAT = "%Y-%m-%dT%H:%M:%S" as const;
