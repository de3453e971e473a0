import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { event29ViewerText, SAMPLE_2282_XML } from "../../../tests/samples";
import { InputFormatError } from "../event";
import { fixture, readAll, SAMPLE_29_DATA, utf16 } from "../../../tests/support/format-readers";
import { readerForFormat } from "../readers";
import { xmlReader } from "./xml";


describe("xml reader: Splunk XmlWinEventLog (single quotes, one event per line)", () => {
  it("reads the real Event 2282 field by field", async () => {
    const { events, rejected } = await readAll(xmlReader, fixture("splunk-xmlwineventlog.xml"));
    expect(rejected).toEqual([]);
    expect(events).toHaveLength(2);
    const e = events[0];
    expect(e.time.toISOString()).toBe("2022-12-20T15:58:25.325Z");
    expect(e.timeCreated).toBe("2022-12-20T15:58:25.325383600Z");
    expect(e.host).toBe("win-dc-exch01.attackrange.local");
    expect(e.channel).toBe("Application");
    expect(e.provider).toBe("Microsoft-Windows-IIS-W3SVC-WP");
    expect(e.providerGuid).toBe("{670080D9-742A-4187-8D16-41143D1290BD}");
    expect(e.eventSourceName).toBe("W3SVC-WP");
    expect(e.eventCode).toBe(2282);
    expect(e.qualifiers).toBe(49152);
    expect(e.recordId).toBe(1001307);
    expect(e.level).toBe(2);
    expect(e.opcode).toBe(0);
    expect(e.opcodeName).toBe("Info");
    expect(e.keywords).toBe("0x80000000000000");
    expect(e.processId).toBe(0);
    expect(e.userSid).toBeNull();
    expect(e.data).toEqual({ ModuleDll: "c:\\temp\\msf.dll", ProcessorArchitecture: "AMD64", Binary: "C1000000" });
    expect(e.message).toMatch(/^The Module DLL 'c:\\temp\\msf\.dll' could not be loaded due to a configuration problem\./);
    expect(e.splunk).toMatchObject({ Name: "Microsoft-Windows-IIS-W3SVC-WP", ModuleDll: "c:\\temp\\msf.dll", dest: "win-dc-exch01.attackrange.local", source: "XmlWinEventLog:Application" });
    expect(e.format).toBe("xml");
    expect(e.position).toBe(1);
    // Raw is the record's exact text, byte for byte.
    expect(e.raw).toBe(fixture("splunk-xmlwineventlog.xml").toString("utf8").split("\n")[0]);
  });

  it("reads Event 29 with its seven data values and the synthesised classic fields", async () => {
    const { events } = await readAll(xmlReader, fixture("splunk-xmlwineventlog.xml"));
    const e = events[1];
    expect(e.position).toBe(2);
    expect(e.eventCode).toBe(29);
    expect(e.qualifiers).toBeNull();
    expect(e.channel).toBe("Microsoft-IIS-Configuration/Operational");
    expect(e.userSid).toBe("S-1-5-21-326179885-1229199145-3314288161-1001");
    expect(e.processId).toBe(31412);
    expect(e.threadId).toBe(1632);
    expect(e.timeCreated).toBe("2023-04-17T18:50:04.0591248Z");
    expect(e.data).toEqual(SAMPLE_29_DATA);
    expect(e.splunk).toMatchObject({
      sourcetype: "IIS:Configuration:Operational",
      OpCode: "Info",
      ComputerName: "DESKTOP-RM9DD5S",
      Message: "Changes to '/system.web/customErrors/error[@statusCode=\"404\"]' at 'MACHINE/WEBROOT/APPHOST/Default Web Site' have successfully been committed.",
    });
  });

  it("reads the real 2282 sample file as is", async () => {
    const { events } = await readAll(xmlReader, readFileSync(SAMPLE_2282_XML));
    expect(events.map((e) => [e.eventCode, e.splunk.dest, e.splunk.ModuleDll])).toEqual([[2282, "win-dc-exch01.attackrange.local", "c:\\temp\\msf.dll"]]);
  });

  it("reads the real Event 29 as copied from Event Viewer's XML view ('-' markers included)", async () => {
    const { events, rejected } = await readAll(xmlReader, Buffer.from(event29ViewerText()));
    expect(rejected).toEqual([]);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ eventCode: 29, host: "DESKTOP-RM9DD5S", recordId: 109 });
    expect(events[0].data.Configuration).toBe('/system.web/customErrors/error[@statusCode="404"]');
  });
});

describe("xml reader: Event Viewer 'Save as XML' and wevtutil", () => {
  it("reads the <Events> wrapper, pretty printed, CRLF, with <?xml?> prolog", async () => {
    const { events, rejected } = await readAll(xmlReader, fixture("eventviewer-saved.xml"));
    expect(rejected).toEqual([]);
    expect(events.map((e) => e.eventCode)).toEqual([2282, 29]);
    expect(events[0].data.ModuleDll).toBe("c:\\temp\\msf.dll");
    expect(events[0].raw.startsWith('<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event">')).toBe(true);
    expect(events[0].raw.endsWith("</Event>")).toBe(true);
    expect(events[1].data.EffectiveLocationPath).toBe("");
  });

  it("reads UTF-16LE and UTF-16BE with a BOM", async () => {
    const text = fixture("eventviewer-saved.xml").toString("utf8");
    for (const endian of ["le", "be"] as const) {
      const { events, rejected } = await readAll(xmlReader, utf16(text, endian), {}, 7);
      expect(rejected).toEqual([]);
      expect(events.map((e) => [e.eventCode, e.host])).toEqual([
        [2282, "win-dc-exch01.attackrange.local"],
        [29, "DESKTOP-RM9DD5S"],
      ]);
    }
  });

  it("reads concatenated wevtutil events and takes rendered names from <RenderingInfo>", async () => {
    const { events, rejected } = await readAll(xmlReader, fixture("wevtutil-rendered.xml"));
    expect(rejected).toEqual([]);
    expect(events).toHaveLength(2);
    const [e2282, e29] = events;
    expect(e2282.opcodeName).toBe("Info");
    expect(e2282.message).toContain("images built for a AMD64 processor architecture");
    expect(e29.opcodeName).toBe("Info");
    expect(e29.message).toBe("Changes to '/system.web/customErrors/error[@statusCode=\"404\"]' at 'MACHINE/WEBROOT/APPHOST/Default Web Site' have successfully been committed.");
  });

  it("prefers the rendered opcode name over the number", async () => {
    const xml = fixture("wevtutil-rendered.xml").toString("utf8").replace(/<Opcode>Info<\/Opcode>/g, "<Opcode>Start</Opcode>");
    const { events } = await readAll(xmlReader, Buffer.from(xml));
    expect(events.map((e) => e.splunk.OpCode)).toEqual(["Start", "Start"]);
  });
});

const rec = (id: number, computer = "WEB01", extra = "") =>
  `<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='P'/><EventID>${id}</EventID>` +
  `<TimeCreated SystemTime='2024-01-01T00:00:0${id % 10}.1234567Z'/><EventRecordID>${id}</EventRecordID><Channel>Application</Channel>` +
  `<Computer>${computer}</Computer></System>${extra}</Event>`;

describe("xml reader: details", () => {
  it("stores an event whose <Channel/> is empty (a log converted from ETW traces), as the EVTX reader does, and says so once", async () => {
    const etw = (id: number) =>
      `<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Etw-Provider'/><EventID>7</EventID>` +
      `<TimeCreated SystemTime='2026-10-01T10:00:0${id}.000Z'/><EventRecordID>${id}</EventRecordID><Channel/><Computer>H</Computer></System></Event>`;
    const notices: { location: string; message: string }[] = [];
    const { events, rejected } = await readAll(readerForFormat("xml"), Buffer.from([etw(1), etw(2)].join("\n")), { onNotice: (n: { location: string; message: string }) => notices.push(n) });
    expect(rejected).toEqual([]);
    expect(events.map((e) => [e.recordId, e.channel])).toEqual([
      [1, ""],
      [2, ""],
    ]);
    expect(notices.map((n) => n.message)).toEqual([expect.stringMatching(/^2 records have an empty channel \(<Channel\/>, as in logs converted from ETW traces\), first EventRecordID 1/)]);
  });

  it("keeps unnamed <Data> by position and flattens <UserData> leaves by name", async () => {
    const xml =
      rec(1, "H", "<EventData><Data>first</Data><Data>second</Data><Data Name='Named'>x</Data></EventData>") +
      "\n" +
      rec(2, "H", "<UserData><LogFileCleared xmlns='urn:x'><SubjectUserName>bob</SubjectUserName><Nested><SubjectUserName>eve</SubjectUserName><Empty/></Nested></LogFileCleared></UserData>");
    const { events } = await readAll(xmlReader, Buffer.from(xml));
    expect(events[0].data).toEqual({ "0": "first", "1": "second", Named: "x" });
    expect(events[1].data).toEqual({ SubjectUserName: "bob", "SubjectUserName#2": "eve", Empty: "" });
  });

  it("decodes only predefined entities and character references; CDATA is text", async () => {
    const xml = rec(1, "H", "<EventData><Data Name='A'>a&amp;b &lt;&#x41;&#66;&gt; &quot;q&apos;</Data><Data Name='B'><![CDATA[<not a tag> </Event>]]></Data></EventData>");
    const { events, rejected } = await readAll(xmlReader, Buffer.from(xml));
    expect(rejected).toEqual([]);
    expect(events[0].data).toEqual({ A: "a&b <AB> \"q'", B: "<not a tag> </Event>" });
  });

  it("rejects an undefined entity in its record only", async () => {
    const xml = [rec(1), rec(2, "&custom;"), rec(3)].join("\n");
    const { events, rejected } = await readAll(xmlReader, Buffer.from(xml));
    expect(events.map((e) => e.recordId)).toEqual([1, 3]);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatchObject({ position: 2, location: "line 2" });
    expect(rejected[0].reason).toMatch(/undefined entity/);
  });

  it("rejects a malformed record with its position and line, and goes on", async () => {
    const broken = rec(2).replace("</Computer>", "</Computr>");
    const xml = `<?xml version="1.0"?>\n<Events>\n${rec(1)}\n${broken}\n${rec(3)}\n</Events>\n`;
    const { records, events, rejected } = await readAll(xmlReader, Buffer.from(xml));
    expect(records).toHaveLength(3);
    expect(events.map((e) => [e.position, e.recordId])).toEqual([
      [1, 1],
      [3, 3],
    ]);
    expect(rejected[0].position).toBe(2);
    expect(rejected[0].location).toBe("line 4");
    expect(rejected[0].reason).toMatch(/malformed XML at line 4/);
    expect(rejected[0].excerpt).toContain("<EventID>2</EventID>");
  });

  it("rejects a record cut short (no </Event>) and reads the next one", async () => {
    const cut = rec(2).slice(0, 120);
    const xml = `${rec(1)}\n${cut}\n${rec(3)}\n`;
    const { events, rejected } = await readAll(xmlReader, Buffer.from(xml));
    expect(events.map((e) => e.recordId)).toEqual([1, 3]);
    expect(rejected).toEqual([expect.objectContaining({ position: 2, location: "line 2", reason: expect.stringMatching(/unterminated <Event>/) })]);
  });

  it("rejects a file truncated inside its last record", async () => {
    const xml = `${rec(1)}\n${rec(2).slice(0, 150)}`;
    const { events, rejected } = await readAll(xmlReader, Buffer.from(xml));
    expect(events).toHaveLength(1);
    expect(rejected[0]).toMatchObject({ position: 2, location: "line 2" });
    expect(rejected[0].reason).toMatch(/file ends inside/);
  });

  it("rejects a record missing required fields with the reason", async () => {
    const xml = rec(1).replace("<Computer>WEB01</Computer>", "") + "\n" + rec(2);
    const { events, rejected } = await readAll(xmlReader, Buffer.from(xml));
    expect(events).toHaveLength(1);
    expect(rejected[0]).toMatchObject({ position: 1, reason: "missing computer name" });
  });

  it("rejects an oversized record with its position without stopping, and keeps memory bounded", async () => {
    const big = rec(2, "WEB01", `<EventData><Data Name='Big'>${"x".repeat(200_000)}</Data></EventData>`);
    const xml = `${rec(1)}\n${big}\n${rec(3)}\n`;
    const { events, rejected } = await readAll(xmlReader, Buffer.from(xml), { maxRecordBytes: 10_000 }, 4096);
    expect(events.map((e) => e.recordId)).toEqual([1, 3]);
    expect(rejected).toEqual([expect.objectContaining({ position: 2, location: "line 2", reason: "record larger than the limit of 10000 bytes" })]);
  });

  it("rejects text outside any <Event> as its own record", async () => {
    const xml = `${rec(1)}\nthis is not xml\n${rec(2)}\n`;
    const { events, rejected } = await readAll(xmlReader, Buffer.from(xml));
    expect(events.map((e) => e.position)).toEqual([1, 3]);
    expect(rejected).toEqual([expect.objectContaining({ position: 2, location: "line 2", reason: "text outside any <Event> element" })]);
  });

  it("strips qualifiers from an EventID that carries them in its value", async () => {
    const xml = rec(1).replace("<EventID>1</EventID>", "<EventID>3221227754</EventID>");
    const { events } = await readAll(xmlReader, Buffer.from(xml));
    expect(events[0]).toMatchObject({ eventCode: 2282, qualifiers: 0xc000 });
  });
});

describe("xml reader: security", () => {
  it("rejects a stretch of binary bytes in the middle of the file, with its line, and reads on", async () => {
    const first = rec(1) + "\n";
    const bytes = Buffer.concat([Buffer.from(first), Buffer.from([0x00, 0xff, 0x00]), Buffer.from(rec(2))]);
    const records = [];
    for await (const r of xmlReader.read((async function* () { yield bytes.subarray(0, first.length); yield bytes.subarray(first.length); })(), { maxRecordBytes: 1 << 20 })) {
      records.push(r.ok ? r.event.recordId : r.rejected);
    }
    expect(records).toEqual([1, expect.objectContaining({ position: 2, location: "line 2" }), 2]);
  });

  it("rejects the record holding a NUL byte, saying where, and keeps the others", async () => {
    const bytes = Buffer.from([rec(1), rec(2).replace("WEB01", "WEB\u000001"), rec(3)].join("\n"));
    const { events, rejected } = await readAll(xmlReader, bytes);
    expect(events.map((e) => e.recordId)).toEqual([1, 3]);
    expect(rejected).toEqual([expect.objectContaining({ position: 2, location: "line 2", reason: expect.stringMatching(/^binary data \(a NUL byte\) inside the record, at line 2, column \d+/) })]);
  });

  it("refuses an XXE file before reading anything", async () => {
    const xxe = `<?xml version="1.0"?>\n<!DOCTYPE Event [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>\n${rec(1, "&xxe;")}`;
    const err = await readAll(xmlReader, Buffer.from(xxe)).catch((e) => e);
    expect(err).toBeInstanceOf(InputFormatError);
    expect(err.message).toMatch(/DOCTYPE.*not processed.*XXE/);
    expect(err.location).toBe("line 2");
  });

  it("refuses a billion-laughs file", async () => {
    const lol = [
      '<?xml version="1.0"?>',
      "<!DOCTYPE lolz [",
      ' <!ENTITY lol "lol">',
      ' <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">',
      ' <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">',
      "]>",
      rec(1, "&lol3;"),
    ].join("\n");
    await expect(readAll(xmlReader, Buffer.from(lol))).rejects.toThrow(InputFormatError);
    await expect(readAll(xmlReader, Buffer.from(lol))).rejects.toThrow(/DOCTYPE/);
  });

  it("refuses a DOCTYPE after the first records, saying where", async () => {
    const xml = `${rec(1)}\n${rec(2)}\n<!DOCTYPE x [<!ENTITY a "b">]>\n${rec(3)}`;
    const err = await readAll(xmlReader, Buffer.from(xml)).catch((e) => e);
    expect(err).toBeInstanceOf(InputFormatError);
    expect(err.location).toBe("line 3");
  });

  it("refuses an ENTITY declaration inside a record", async () => {
    const xml = rec(1, "WEB01", '<EventData><!ENTITY a "b"></EventData>');
    await expect(readAll(xmlReader, Buffer.from(xml))).rejects.toThrow(/ENTITY declaration/);
  });
});

describe("xml reader: sniff", () => {
  it("recognises event XML in UTF-8 and UTF-16, and not other XML or text", () => {
    expect(xmlReader.sniff(fixture("splunk-xmlwineventlog.xml"))).toBe(true);
    expect(xmlReader.sniff(fixture("eventviewer-saved.xml"))).toBe(true);
    expect(xmlReader.sniff(utf16(fixture("eventviewer-saved.xml").toString("utf8")))).toBe(true);
    expect(xmlReader.sniff(Buffer.from('<?xml version="1.0"?><project><name>x</name></project>'))).toBe(false);
    expect(xmlReader.sniff(Buffer.from("# README\nSome text"))).toBe(false);
  });
});
