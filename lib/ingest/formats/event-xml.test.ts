// Item 1 of "one event model for every format": the EVTX reader (BinXML) and the text-XML reader map event XML with
// one mapping (event-xml.ts). The same events go through every XML-carrying reader and the stored rows are compared
// field by field — every NormalizedEvent field except format, raw text and position.
import { describe, expect, it } from "vitest";
import type { NormalizedEvent } from "../event";
import { readerForFormat } from "../readers";
import { evtxFromXml, escuFixture } from "../../../tests/support/escu-fixtures";
import { readAll, utf16 } from "../../../tests/support/format-readers";

/** Every stored field but the ones that say where the row came from. */
function storedFields(e: NormalizedEvent) {
  const { format, raw, position, ...rest } = e;
  void format;
  void raw;
  void position;
  return rest;
}

// Hand-written events covering what the mapping must treat alike: repeated names, unnamed <Data> (and Name=""),
// empty elements, <UserData> (leaves at every depth, repeated), <Binary> and <RenderingInfo>.
const EDGE_EVENTS =
  `<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="Microsoft-Windows-IIS-W3SVC-WP" Guid="{670080D9-742A-4187-8D16-41143D1290BD}" EventSourceName="W3SVC-WP" /><EventID Qualifiers="49152">2282</EventID><Version>0</Version><Level>2</Level><Task>0</Task><Opcode>0</Opcode><Keywords>0x80000000000000</Keywords><TimeCreated SystemTime="2024-03-06T08:00:00.0000001Z" /><EventRecordID>6001</EventRecordID><Correlation /><Execution ProcessID="0" ThreadID="0" /><Channel>Application</Channel><Computer>WEB02.contoso.local</Computer><Security /></System><EventData><Data Name="ModuleDll">C:\\inetpub\\temp\\first.dll</Data><Data Name="ModuleDll">C:\\inetpub\\temp\\second.dll</Data><Data Name="ProcessorArchitecture">x86</Data><Binary>C1000000</Binary></EventData></Event>` +
  `<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="Microsoft-Windows-IIS-W3SVC-WP" Guid="{670080D9-742A-4187-8D16-41143D1290BD}" EventSourceName="W3SVC-WP" /><EventID Qualifiers="49152">2282</EventID><Version>0</Version><Level>2</Level><Task>0</Task><Opcode>0</Opcode><Keywords>0x80000000000000</Keywords><TimeCreated SystemTime="2024-03-06T08:01:00.0000000Z" /><EventRecordID>6002</EventRecordID><Correlation /><Execution ProcessID="0" ThreadID="0" /><Channel>Application</Channel><Computer>WEB02.contoso.local</Computer><Security /></System><EventData><Data>C:\\inetpub\\temp\\unnamed.dll</Data><Data Name="">AMD64</Data><Binary>C1000000</Binary></EventData><RenderingInfo Culture="en-US"><Message>The Module DLL 'C:\\inetpub\\temp\\unnamed.dll' could not be loaded due to a configuration problem. The current configuration only supports loading images built for a AMD64 processor architecture. The data field contains the error number. To learn more about this issue, including how to troubleshooting this kind of processor architecture mismatch error, see http://go.microsoft.com/fwlink/?LinkId=29349.</Message><Level>Error</Level><Task>None</Task><Opcode>Info</Opcode><Channel>Application</Channel><Provider>Microsoft-Windows-IIS-W3SVC-WP</Provider><Keywords><Keyword>Classic</Keyword></Keywords></RenderingInfo></Event>` +
  `<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="Microsoft-Windows-WAS" Guid="{524B5D04-133C-4A62-8362-64E8EDB9CE40}" EventSourceName="WAS" /><EventID Qualifiers="32768">5139</EventID><Version>0</Version><Level>3</Level><Task>0</Task><Opcode>0</Opcode><Keywords>0x80000000000000</Keywords><TimeCreated SystemTime="2024-03-06T08:02:00.0000000Z" /><EventRecordID>6003</EventRecordID><Correlation /><Execution ProcessID="0" ThreadID="0" /><Channel>System</Channel><Computer>WEB02.contoso.local</Computer><Security /></System><EventData><Data>DefaultAppPool</Data><Data>28652</Data><Data>0</Data><Data>http</Data><Binary>05000780</Binary></EventData></Event>` +
  `<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="Example-UserData-Provider" Guid="{11111111-2222-3333-4444-555555555555}" /><EventID>7</EventID><Version>1</Version><Level>4</Level><Task>3</Task><Opcode>1</Opcode><Keywords>0x8000000000000000</Keywords><TimeCreated SystemTime="2024-03-06T08:03:00.5Z" /><EventRecordID>6004</EventRecordID><Correlation ActivityID="{AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE}" /><Execution ProcessID="812" ThreadID="904" /><Channel>Example/Operational</Channel><Computer>WEB02.contoso.local</Computer><Security UserID="S-1-5-18" /></System><UserData><ChangeRecord xmlns="urn:example"><Target>site1</Target><Empty /><Items><Item>a</Item><Item>b</Item></Items></ChangeRecord></UserData></Event>` +
  `<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="Example-UserData-Provider" Guid="{11111111-2222-3333-4444-555555555555}" /><EventID>8</EventID><Version>1</Version><Level>4</Level><Task>3</Task><Opcode>2</Opcode><Keywords>0x8000000000000000</Keywords><TimeCreated SystemTime="2024-03-06T08:04:00Z" /><EventRecordID>6005</EventRecordID><Correlation /><Execution ProcessID="812" ThreadID="904" /><Channel>Example/Operational</Channel><Computer>WEB02.contoso.local</Computer><Security /></System><UserData><Flag>on</Flag></UserData></Event>`;

async function read(format: "xml" | "evtx", bytes: Buffer): Promise<NormalizedEvent[]> {
  const { events, rejected } = await readAll(readerForFormat(format), bytes);
  expect(rejected).toEqual([]);
  return events;
}

describe("one mapping from event XML: EVTX and text XML store the same fields", () => {
  it("edge cases: repeated names, unnamed and empty <Data>, UserData, Binary, RenderingInfo", async () => {
    const fromXml = await read("xml", Buffer.from(EDGE_EVENTS));
    const fromEvtx = await read("evtx", evtxFromXml(EDGE_EVENTS));
    expect(fromEvtx.map(storedFields)).toEqual(fromXml.map(storedFields));
    expect(fromXml).toHaveLength(5);

    // What the one mapping decides, written out for each event.
    const [repeated, unnamed, was, userData, leaf] = fromXml;
    expect(repeated.data).toEqual({ ModuleDll: "C:\\inetpub\\temp\\first.dll", "ModuleDll#2": "C:\\inetpub\\temp\\second.dll", ProcessorArchitecture: "x86", Binary: "C1000000" });
    expect(repeated.splunk.ModuleDll).toBe("C:\\inetpub\\temp\\first.dll"); // Splunk keeps the first value
    // Two unnamed values (one with Name=""), as many as the catalogue names for 2282: named.
    expect(unnamed.data).toEqual({ ModuleDll: "C:\\inetpub\\temp\\unnamed.dll", ProcessorArchitecture: "AMD64", Binary: "C1000000" });
    expect(unnamed.opcodeName).toBe("Info");
    expect(unnamed.message).toMatch(/^The Module DLL 'C:\\inetpub\\temp\\unnamed\.dll' could not be loaded/);
    // Four unnamed values for WAS 5139, whose four names come from a real event: named.
    expect(was.data).toEqual({ AppPoolID: "DefaultAppPool", ProcessID: "28652", param3: "0", ProtocolID: "http", Binary: "05000780" });
    expect(was.message).toBe("A listener channel for protocol 'http' in worker process '28652' serving application pool 'DefaultAppPool' reported a listener channel failure.  The data field contains the error number.");
    expect(userData.data).toEqual({ Target: "site1", Empty: "", Item: "a", "Item#2": "b" });
    expect(userData.dataNote).toBeUndefined();
    expect(leaf.data).toEqual({ Flag: "on" });
  });

  it("the six ESCU events: hand-written Splunk XML, wevtutil XML, Event Viewer XML (UTF-16) and EVTX agree field by field", async () => {
    const wevtutil = await read("xml", escuFixture("wevtutil.xml"));
    const splunk = await read("xml", escuFixture("splunk-xmlwineventlog.xml"));
    const viewer = await read("xml", utf16(escuFixture("eventviewer-saved.xml").toString("utf8")));
    const evtx = await read("evtx", evtxFromXml(escuFixture("wevtutil.xml").toString("utf8")));
    expect(wevtutil).toHaveLength(6);
    for (const other of [splunk, viewer, evtx]) expect(other.map(storedFields)).toEqual(wevtutil.map(storedFields));
    // The 2282 with one positional value stays positional in every one of them, and says why.
    const positional = wevtutil.find((e) => e.recordId === 5004)!;
    expect(positional.data).toEqual({ "0": "AMD64", Binary: "C1000000" });
    expect(positional.splunk.ModuleDll).toBeNull();
    expect(positional.dataNote).toBe("Microsoft-Windows-IIS-W3SVC-WP 2282: 1 value, the catalogue names 2, data kept by position");
  });
});
