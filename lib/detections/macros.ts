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
  powershell: {
    anyOf: [
      { field: "source", value: "WinEventLog:Microsoft-Windows-PowerShell/Operational" },
      { field: "source", value: "XmlWinEventLog:Microsoft-Windows-PowerShell/Operational" },
    ],
    note:
      "The definition's two sources, as written. Ingest gives every event of the Microsoft-Windows-PowerShell/Operational " +
      "channel source XmlWinEventLog:Microsoft-Windows-PowerShell/Operational (WinEventLog:… for classic text), whatever its input format.",
  },
};

/**
 * `security_content_summariesonly`, the tstats searches' macro: its definition (content/escu/macros/, verbatim) is
 * `summariesonly=\`summariesonly_config\` allow_old_summaries=\`oldsummaries_config\` fillnull_value=\`fillnull_config\``.
 * Those three macros are not in any copy of security_content at hand; ESCU ships them (DA-ESS-ContentUpdate
 * macros.conf) as summariesonly=false (raw events are searched too: here there are only raw events),
 * allow_old_summaries=true, and fillnull_value=null: a by-field an event lacks is counted as the text "null", so a
 * 4688 (which has no OriginalFileName) still gives Add New Module a row, as its data_source promises. RECONSTRUCTED
 * from ESCU's shipped macros.conf, not copied.
 */
export const SECURITY_CONTENT_SUMMARIESONLY = {
  definition: "summariesonly=`summariesonly_config` allow_old_summaries=`oldsummaries_config` fillnull_value=`fillnull_config`",
  fillnullValue: "null",
  note:
    "summariesonly_config=false, oldsummaries_config=true, fillnull_config=null (ESCU's shipped macros.conf, reconstructed): " +
    "every event of the data model is read, and a by-field an event lacks is counted as \"null\".",
} as const;

/**
 * `security_content_ctime(field)`: epoch -> text in this format (strftime), evaluated in UTC here. The macro's
 * definition (content/escu/macros/security_content_ctime.yml) is `convert timeformat="<this>" ctime($field$)`.
 */
export const SECURITY_CONTENT_CTIME_FORMAT = "%Y-%m-%dT%H:%M:%S" as const;
