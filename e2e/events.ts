// Event XML as `wevtutil qe /f:xml` or Event Viewer writes it, built for the browser tests' uploads: real schemas
// (splunk-semantics.md §8), times a few hours ago so that the detections' replay after the upload covers them.

/** `hours` ago, at `minute` past that hour (UTC), ISO. */
export function hoursAgo(hours: number, minute: number): string {
  const d = new Date(Date.now() - hours * 3_600_000);
  d.setUTCMinutes(minute, 5, 0);
  return d.toISOString();
}

/** An Event 2282 ("the Module DLL could not be loaded") from the Application log. */
export function event2282(host: string, time: string, record: number, dll: string): string {
  return `<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-IIS-W3SVC-WP' Guid='{670080D9-742A-4187-8D16-41143D1290BD}' EventSourceName='W3SVC-WP'/><EventID Qualifiers='49152'>2282</EventID><Version>0</Version><Level>2</Level><Task>0</Task><Opcode>0</Opcode><Keywords>0x80000000000000</Keywords><TimeCreated SystemTime='${time}'/><EventRecordID>${record}</EventRecordID><Correlation/><Execution ProcessID='0' ThreadID='0'/><Channel>Application</Channel><Computer>${host}</Computer><Security/></System><EventData><Data Name='ModuleDll'>${dll}</Data><Data Name='ProcessorArchitecture'>AMD64</Data><Binary>C1000000</Binary></EventData></Event>`;
}

/** An Event 29 (IIS configuration change) adding the module `name` to globalModules. */
export function event29(host: string, time: string, record: number, name: string): string {
  return `<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-IIS-Configuration' Guid='{DC0B8E51-4863-407A-BC3C-1B479B2978AC}'/><EventID>29</EventID><Version>0</Version><Level>4</Level><Task>0</Task><Opcode>0</Opcode><Keywords>0x8000000000000000</Keywords><TimeCreated SystemTime='${time}'/><EventRecordID>${record}</EventRecordID><Correlation/><Execution ProcessID='4242' ThreadID='77'/><Channel>Microsoft-IIS-Configuration/Operational</Channel><Computer>${host}</Computer><Security UserID='S-1-5-18'/></System><EventData><Data Name='PhysicalPath'></Data><Data Name='ConfigPath'>MACHINE/WEBROOT/APPHOST</Data><Data Name='EffectiveLocationPath'></Data><Data Name='Configuration'>/system.webServer/globalModules/add[@name="${name}"]</Data><Data Name='EditOperationType'>1</Data><Data Name='OldValue'></Data><Data Name='NewValue'></Data></EventData></Event>`;
}

/** An Event Viewer "Save as XML" file of these events. */
export const eventsFile = (events: string[]) => `<?xml version="1.0" encoding="utf-8"?>\n<Events>\n${events.join("\n")}\n</Events>\n`;
