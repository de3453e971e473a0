// What the ESCU search macros mean over our event columns. Each macro's definition is read verbatim from its YAML
// (content/escu/macros/<name>.yml, by the content loader); this file says, once, which stored field values it
// matches. See shared/docs/splunk-semantics.md §3.

export interface MacroExpansion {
  /** The definition expanded (eventtypes included) into field=value alternatives: an event matches if any holds. */
  anyOf: { field: string; value: string }[];
  /** Why the expansion is what it is (eventtype definitions, newer macro versions...). */
  note: string;
}

export const MACRO_EXPANSIONS: Readonly<Record<string, MacroExpansion>> = {
  iis_operational_logs: {
    anyOf: [{ field: "sourcetype", value: "IIS:Configuration:Operational" }],
    note: "Ingest gives every event of the Microsoft-IIS-Configuration/Operational channel this sourcetype, whatever its input format.",
  },
  wineventlog_application: {
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
  },
};

/**
 * `security_content_ctime(field)`: epoch -> text in this format (strftime), evaluated in UTC here. The macro's
 * definition (content/escu/macros/security_content_ctime.yml) is `convert timeformat="<this>" ctime($field$)`.
 */
export const SECURITY_CONTENT_CTIME_FORMAT = "%Y-%m-%dT%H:%M:%S" as const;
