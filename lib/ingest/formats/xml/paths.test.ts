// The two record parsers of event XML must map a record the same way: the fast path (fast-path.ts) is only a
// quicker way to the result saxes (saxes-path.ts) gives, so an event read from a file must not depend on which
// one took it. Each record below is parsed by both and their EventParts compared field by field: every record of
// the XML fixtures and samples, every event of the EVTX samples as our EVTX reader renders it, and hand-made
// records with the constructs that tell XML parsers apart. Where the fast path declines a record (it is outside
// its subset, or would be rejected), saxes alone decides: those cases say so, and what saxes makes of them.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { event29ViewerText, SAMPLE_2282_XML, SAMPLES_DIR } from "../../../../tests/samples";
import { InputFormatError, type EventParts } from "../../event";
import { readEvtxRecords } from "../../evtx";
import { decodeText } from "../../input/text";
import { RecordError } from "../../normalize";
import { fastPathEventParts } from "./fast-path";
import { saxesEventParts } from "./saxes-path";
import { XmlEventSplitter } from "./splitter";

const FIXTURES = path.resolve(import.meta.dirname, "../fixtures");

/** saxes's parts, or the reason it rejects the record. */
function saxes(text: string): EventParts | { rejected: string } {
  try {
    return saxesEventParts(text, 1);
  } catch (e) {
    if (e instanceof RecordError) return { rejected: e.message };
    throw e;
  }
}

async function splitRecords(file: Buffer): Promise<string[]> {
  const splitter = new XmlEventSplitter(1 << 20);
  const records: string[] = [];
  const take = (items: ReturnType<XmlEventSplitter["end"]>) => {
    for (const item of items) if (item.kind === "record") records.push(item.text);
  };
  for await (const chunk of decodeText((async function* () {
    yield file;
  })()))
    take(splitter.push(chunk));
  take(splitter.end());
  return records;
}

const filesUnder = (dir: string, ext: string) =>
  (readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => f.endsWith(ext))
    .sort()
    .map((f) => path.join(dir, f));

/** Parses each record both ways; returns how many the fast path took, having checked that saxes agrees on each. */
function compareBoth(records: { where: string; text: string }[]): { fast: number; declined: string[] } {
  let fast = 0;
  const declined: string[] = [];
  for (const { where, text } of records) {
    const quick = fastPathEventParts(text);
    if (quick === null) {
      declined.push(where);
      continue;
    }
    fast++;
    // The location in the message says which record differs; toEqual lists the differing fields.
    expect({ where, parts: saxes(text) }).toEqual({ where, parts: quick });
  }
  return { fast, declined };
}

describe("fast path and saxes agree", () => {
  it("on every record of the XML fixtures and samples (all taken by the fast path)", async () => {
    const files = [...filesUnder(FIXTURES, ".xml"), SAMPLE_2282_XML];
    const records: { where: string; text: string }[] = [];
    for (const file of files) {
      const texts = await splitRecords(readFileSync(file));
      texts.forEach((text, i) => records.push({ where: `${path.relative(FIXTURES, file)} record ${i + 1}`, text }));
    }
    (await splitRecords(Buffer.from(event29ViewerText()))).forEach((text) => records.push({ where: "event 29 from Event Viewer", text }));
    expect(files.length).toBeGreaterThanOrEqual(7);
    expect(records.length).toBeGreaterThanOrEqual(20);
    const { fast, declined } = compareBoth(records);
    expect(declined).toEqual([]);
    expect(fast).toBe(records.length);
  });

  it("on every event of the EVTX samples, as the EVTX reader renders it", async () => {
    const records: { where: string; text: string }[] = [];
    for (const file of filesUnder(SAMPLES_DIR, ".evtx")) {
      for await (const item of readEvtxRecords([readFileSync(file)])) {
        if (item.kind === "record") records.push({ where: `${path.relative(SAMPLES_DIR, file)} record ${item.recordId}`, text: item.xml });
      }
    }
    expect(records.length).toBeGreaterThan(5000);
    const { fast, declined } = compareBoth(records);
    expect(fast).toBeGreaterThan(records.length * 0.95);
    // A record is declined only when saxes rejects it (security.evtx record 55 holds U+0003, rendered "&#x3;", which
    // XML does not allow) or it holds what the fast path leaves to saxes (see the hand-made cases below).
    for (const where of declined) {
      const text = records.find((r) => r.where === where)!.text;
      const outsideSubset = /[^\t\n\r\x20-\uD7FF]|<!|<\?/.test(text);
      expect({ where, declinedFor: outsideSubset || "rejected" in saxes(text) }).toEqual({ where, declinedFor: true });
    }
  });
});

const NS = "http://schemas.microsoft.com/win/2004/08/events/event";
const system = (extra = "") =>
  `<System><Provider Name='P'/><EventID>4624</EventID><TimeCreated SystemTime='2024-01-02T03:04:05.0000000Z'/><EventRecordID>1</EventRecordID><Channel>Security</Channel><Computer>H</Computer>${extra}</System>`;
const event = (body: string, sys = system()) => `<Event xmlns='${NS}'>${sys}${body}</Event>`;

interface Case {
  name: string;
  text: string;
  /** The fast path takes it (and saxes must agree), or declines it (saxes alone decides). */
  path: "fast" | "saxes";
  /** What the record maps to (a subset of the parts), or the rejection saxes words. */
  expected: Partial<Record<keyof EventParts, unknown>> | { rejected: RegExp };
  /** For a declined record: a plain record the fast path takes that must map exactly the same. */
  sameAs?: string;
}

const CASES: Case[] = [
  {
    name: "predefined entities and character references, in text and attributes",
    text: event("<EventData><Data Name='a&amp;b'>x &lt;&#x41;&#66;&gt; &quot;q&apos; &#x1F600;</Data></EventData>"),
    path: "fast",
    expected: { data: { "a&b": "x <AB> \"q' \u{1F600}" } },
  },
  {
    name: "attributes in any order, either quote, space around '=', the other quote inside",
    text: event(
      "<EventData><Data Name=\"it's\">1</Data><Data Name='say \"hi\"'>2</Data></EventData>",
      system().replace("<Provider Name='P'/>", `<Provider Guid = "{G}"  EventSourceName='S'\tName =\n"P2" />`),
    ),
    path: "fast",
    expected: { system: expect.objectContaining({ provider: "P2", providerGuid: "{G}", eventSourceName: "S" }), data: { "it's": "1", 'say "hi"': "2" } },
  },
  {
    name: "namespace prefixes on elements and attributes (local names count)",
    text: `<e:Event xmlns:e='${NS}'><e:System><e:Provider e:Name='P'/><e:EventID>7</e:EventID><e:Channel>C</e:Channel><e:Computer>H</e:Computer></e:System><e:EventData><e:Data e:Name='N'>v</e:Data></e:EventData></e:Event>`,
    path: "fast",
    expected: { system: expect.objectContaining({ provider: "P", eventId: 7, channel: "C" }), data: { N: "v" } },
  },
  {
    name: "repeated and missing Data names, empty elements both ways",
    text: event("<EventData><Data Name='X'>1</Data><Data Name='X'>2</Data><Data>p0</Data><Data Name=''>p1</Data><Data Name='E1'/><Data Name='E2'></Data></EventData>"),
    path: "fast",
    expected: { data: { X: "1", "X#2": "2", "2": "p0", "3": "p1", E1: "", E2: "" } },
  },
  {
    name: "UserData leaves at any depth, and Binary trimmed",
    text: event("<UserData><Top xmlns='urn:x'><A>1</A><Group><A>2</A><B/></Group></Top></UserData>").replace("</Event>", "<EventData><Binary>\n  0A1B  \n</Binary></EventData></Event>"),
    path: "fast",
    expected: { data: { A: "1", "A#2": "2", B: "", Binary: "0A1B" } },
  },
  {
    name: "pretty printed with CRLF, tabs and spaces: line ends normalised in text, white space to spaces in attributes",
    text: event(
      "\r\n  <EventData>\r\n    <Data Name='Multi\tLine\r\nName'>line1\r\nline2\rline3\t </Data >\r\n  </EventData>\r\n  <RenderingInfo Culture='en-US'>\r\n    <Message>Hello\r\n  world  </Message>\r\n  </RenderingInfo>\r\n",
    ),
    path: "fast",
    expected: { data: { "Multi Line Name": "line1\nline2\nline3\t " }, rendering: { message: "Hello\n  world" } },
  },
  {
    name: "non-ASCII text below U+D800",
    text: event("<EventData><Data Name='Wert'>Größe — 主机 ½</Data></EventData>", system().replace("<Computer>H</Computer>", "<Computer>Ünïcödé-主机</Computer>")),
    path: "fast",
    expected: { system: expect.objectContaining({ computer: "Ünïcödé-主机" }), data: { Wert: "Größe — 主机 ½" } },
  },
  {
    name: "an attribute value holding '>'",
    text: event("<EventData><Data Name='a>b'>v</Data></EventData>"),
    path: "fast",
    expected: { data: { "a>b": "v" } },
  },
  // Declined by the fast path: saxes alone decides.
  {
    name: "CDATA",
    text: event("<EventData><Data Name='B'><![CDATA[<not a tag> </Event> &amp;]]></Data></EventData>"),
    path: "saxes",
    expected: { data: { B: "<not a tag> </Event> &amp;" } },
    sameAs: event("<EventData><Data Name='B'>&lt;not a tag> &lt;/Event> &amp;amp;</Data></EventData>"),
  },
  {
    name: "a comment and a processing instruction inside the record",
    text: event("<EventData><!-- note --><?pi data?><Data Name='A'>x<!-- in text -->y</Data></EventData>"),
    path: "saxes",
    expected: { data: { A: "xy" } },
    sameAs: event("<EventData><Data Name='A'>xy</Data></EventData>"),
  },
  {
    name: "characters above U+D7FF (an emoji as such, private use)",
    text: event("<EventData><Data Name='E'>\u{1F600}\uE000</Data></EventData>"),
    path: "saxes",
    expected: { data: { E: "\u{1F600}\uE000" } },
    sameAs: event("<EventData><Data Name='E'>&#x1F600;&#xE000;</Data></EventData>"),
  },
  {
    name: "the same local attribute name under two prefixes",
    text: event("<EventData><Data a:Name='first' b:Name='second' xmlns:a='urn:a' xmlns:b='urn:b'>v</Data></EventData>"),
    path: "saxes",
    expected: { data: { second: "v" } },
    sameAs: event("<EventData><Data Name='second'>v</Data></EventData>"),
  },
  { name: "an undefined entity", text: event("<EventData><Data Name='A'>&custom;</Data></EventData>"), path: "saxes", expected: { rejected: /undefined entity/ } },
  { name: "an upper-case hex character reference", text: event("<EventData><Data Name='A'>&#X41;</Data></EventData>"), path: "saxes", expected: { rejected: /malformed XML/ } },
  { name: "a mismatched end tag", text: event("<EventData><Data Name='A'>v</Datum></EventData>"), path: "saxes", expected: { rejected: /malformed XML at line 1/ } },
  { name: "a duplicate attribute", text: event("<EventData><Data Name='A' Name='B'>v</Data></EventData>"), path: "saxes", expected: { rejected: /malformed XML/ } },
  { name: "'<' inside an attribute value", text: event("<EventData><Data Name='a<b'>v</Data></EventData>"), path: "saxes", expected: { rejected: /malformed XML/ } },
  { name: "a control character", text: event("<EventData><Data Name='A'>a\u0001b</Data></EventData>"), path: "saxes", expected: { rejected: /malformed XML/ } },
  { name: "a non-numeric EventID", text: event("", system().replace("4624", "abc")), path: "saxes", expected: { rejected: /invalid event id 'abc'/ } },
  { name: "a root other than <Event>", text: "<Events><Event/></Events>", path: "saxes", expected: { rejected: /expected an <Event> element, found <Events>/ } },
  { name: "text after the root", text: event("") + "tail", path: "saxes", expected: { rejected: /malformed XML/ } },
];

describe("fast path and saxes on hand-made records", () => {
  it.each(CASES)("$name", ({ text, path: decidedBy, expected, sameAs }) => {
    const quick = fastPathEventParts(text);
    const slow = saxes(text);
    if (decidedBy === "fast") {
      expect(quick).not.toBeNull();
      expect(slow).toEqual(quick);
    } else {
      expect(quick).toBeNull();
    }
    if ("rejected" in expected) {
      expect(slow).toEqual({ rejected: expect.stringMatching(expected.rejected) });
    } else {
      expect(slow).toMatchObject(expected);
    }
    if (sameAs !== undefined) {
      const plain = fastPathEventParts(sameAs);
      expect(plain).not.toBeNull();
      expect(slow).toEqual(plain);
    }
  });
});

describe("saxes path on its own", () => {
  it("refuses a DOCTYPE even when nothing before it did (event text is attacker-controlled)", () => {
    const text = `<!DOCTYPE Event [<!ENTITY x SYSTEM "file:///etc/passwd">]>${event("<EventData><Data Name='A'>&x;</Data></EventData>")}`;
    expect(fastPathEventParts(text)).toBeNull();
    expect(() => saxesEventParts(text, 3)).toThrow(InputFormatError);
    expect(() => saxesEventParts(text, 3)).toThrow(/refused: the XML contains a DOCTYPE declaration/);
  });
});
