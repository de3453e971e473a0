// The real sample events the tests read, in the repository (tests/fixtures/samples: origin, commit and licence of
// each in its README).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export const SAMPLES_DIR = path.resolve(import.meta.dirname, "fixtures/samples");
export const SAMPLE_2282_XML = path.join(SAMPLES_DIR, "splunk+security_content@b13b314a/data_sources/DERIVED_2282_example_log.xml");
export const SAMPLE_EVTX = path.join(
  SAMPLES_DIR,
  "sbousseaden+EVTX-ATTACK-SAMPLES@4ceed2f4/Credential Access/discovery_sysmon_1_iis_pwd_and_config_discovery_appcmd.evtx",
);

/**
 * The real Microsoft-IIS-Configuration/Operational Event 29 published in blog.sqeye.net's "Splunk Use Case: IIS
 * Configuration Changes on Windows Server" (a customErrors change, 2023-04-17), rebuilt from its field values —
 * the post states no licence, so its text is not copied — in the layout of Event Viewer's XML view, which the post
 * shows: "- " markers before elements that have children, a trailing space after leaf lines.
 */
export function event29ViewerText(): string {
  const leaf = (xml: string) => `  ${xml} `;
  return [
    `- <Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event">`,
    `- <System>`,
    leaf(`<Provider Name="Microsoft-Windows-IIS-Configuration" Guid="{dc0b8e51-4863-407a-bc3c-1b479b2978ac}" />`),
    leaf(`<EventID>29</EventID>`),
    leaf(`<Version>0</Version>`),
    leaf(`<Level>5</Level>`),
    leaf(`<Task>0</Task>`),
    leaf(`<Opcode>0</Opcode>`),
    leaf(`<Keywords>0x4000000000000000</Keywords>`),
    leaf(`<TimeCreated SystemTime="2023-04-17T18:50:04.0591248Z" />`),
    leaf(`<EventRecordID>109</EventRecordID>`),
    leaf(`<Correlation />`),
    leaf(`<Execution ProcessID="31412" ThreadID="1632" />`),
    leaf(`<Channel>Microsoft-IIS-Configuration/Operational</Channel>`),
    leaf(`<Computer>DESKTOP-RM9DD5S</Computer>`),
    leaf(`<Security UserID="S-1-5-21-326179885-1229199145-3314288161-1001" />`),
    `  </System>`,
    `- <EventData>`,
    leaf(`<Data Name="PhysicalPath">\\\\?\\C:\\inetpub\\wwwroot\\web.config</Data>`),
    leaf(`<Data Name="ConfigPath">MACHINE/WEBROOT/APPHOST/Default Web Site</Data>`),
    leaf(`<Data Name="EffectiveLocationPath" />`),
    leaf(`<Data Name="Configuration">/system.web/customErrors/error[@statusCode="404"]</Data>`),
    leaf(`<Data Name="EditOperationType">1</Data>`),
    leaf(`<Data Name="OldValue" />`),
    leaf(`<Data Name="NewValue" />`),
    `  </EventData>`,
    `  </Event>`,
    "",
  ].join("\n");
}

/** event29ViewerText() as a file, for the readers that take a path. */
export const SAMPLE_29_EXCERPT = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "iiswatch-sample29-")), "event29_customErrors_excerpt.txt");
fs.writeFileSync(SAMPLE_29_EXCERPT, event29ViewerText());
