// The ESCU cross-format fixtures (lib/ingest/formats/fixtures/escu/, hand-written in each export's layout; see its
// README) as the tests read them, plus the same events as an EVTX file. Used by the unit and database tests only.
//
// The EVTX is built by the BinXML fixture builder (evtx-builder.ts) — an encoder independent of the decoder
// under test — from the hand-written `wevtutil qe /f:xml` fixture: each element, attribute and text of that file is
// written token by token as plain BinXML (no templates), one record per <Event>, in one chunk.
import { gzipSync } from "node:zlib";
import { SaxesParser } from "saxes";
import { BinXmlWriter, chunk, evtxFile, record } from "./evtx-builder";
import { fixture, makeZip, utf16 } from "./format-readers";

export const ESCU_HOST = "WEB01.contoso.local";

export const escuFixture = (name: string) => fixture(`escu/${name}`);

interface XNode {
  name: string;
  attrs: [string, string][];
  children: (XNode | string)[];
}

/** Parses the hand-written XML into element trees (saxes, not our reader). */
function parseEvents(xml: string): XNode[] {
  const parser = new SaxesParser({ xmlns: false });
  const roots: XNode[] = [];
  const stack: XNode[] = [];
  parser.on("opentag", (t) => {
    const node: XNode = { name: t.name, attrs: Object.entries(t.attributes as Record<string, string>), children: [] };
    if (stack.length) stack[stack.length - 1].children.push(node);
    else roots.push(node);
    stack.push(node);
  });
  parser.on("text", (t) => {
    if (stack.length) stack[stack.length - 1].children.push(t);
  });
  parser.on("closetag", () => stack.pop());
  parser.write(`<Root>${xml}</Root>`).close();
  return (roots[0].children as XNode[]).filter((n) => typeof n !== "string");
}

function writeElement(w: BinXmlWriter, n: XNode): void {
  w.open(n.name, n.attrs.length > 0);
  n.attrs.forEach(([k, v], i) => w.attr(k, i < n.attrs.length - 1).text(v));
  if (n.children.length === 0) {
    w.closeEmpty();
    return;
  }
  w.closeStart();
  for (const c of n.children) {
    if (typeof c === "string") w.text(c);
    else writeElement(w, c);
  }
  w.end();
}

/** An EVTX file holding the given event XML (one record per <Event>, plain BinXML elements). */
export function evtxFromXml(xml: string): Buffer {
  const events = parseEvents(xml);
  const builders = events.map((ev, i) => (pos: number) =>
    record(pos, i + 1, (w) => {
      w.fragmentHeader();
      writeElement(w, ev);
      w.eof();
    }),
  );
  return evtxFile([chunk(builders)]);
}

export interface EscuCase {
  name: string;
  /** File name (its extension decides nothing: the content is sniffed). */
  file: string;
  bytes: () => Buffer;
  options?: { host?: string };
}

/** Every export layout of the same six events (the two Event Viewer CSV files are one export: one per log). */
export const ESCU_CASES: EscuCase[] = [
  { name: "Splunk XmlWinEventLog", file: "splunk.xml", bytes: () => escuFixture("splunk-xmlwineventlog.xml") },
  { name: "wevtutil qe /f:xml", file: "wevtutil.xml", bytes: () => escuFixture("wevtutil.xml") },
  { name: 'Event Viewer "Save as XML" (UTF-16LE)', file: "saved.xml", bytes: () => utf16(escuFixture("eventviewer-saved.xml").toString("utf8")) },
  { name: "Splunk classic WinEventLog text", file: "classic.log", bytes: () => escuFixture("classic.log") },
  { name: "Winlogbeat / Elastic Agent NDJSON", file: "winlogbeat.ndjson", bytes: () => escuFixture("winlogbeat.ndjson") },
  { name: "Get-WinEvent | ConvertTo-Json", file: "events.json", bytes: () => escuFixture("get-winevent.json") },
  { name: "Splunk JSON export", file: "export.json", bytes: () => escuFixture("splunk-export.json") },
  { name: "Splunk CSV export of XML events", file: "export-xml.csv", bytes: () => escuFixture("splunk-export-xml.csv") },
  { name: "Splunk CSV export of classic events", file: "export-classic.csv", bytes: () => escuFixture("splunk-export-classic.csv") },
  {
    name: "Event Viewer CSV (Application + IIS-Configuration)",
    file: "eventviewer.zip",
    bytes: () =>
      makeZip([
        { name: "Application.csv", data: escuFixture("eventviewer-application.csv") },
        { name: "IIS-Configuration.csv", data: escuFixture("eventviewer-iis-configuration.csv") },
      ]),
    options: { host: ESCU_HOST },
  },
  { name: "EVTX", file: "events.evtx", bytes: () => evtxFromXml(escuFixture("wevtutil.xml").toString("utf8")) },
  { name: "gzip of Splunk classic text", file: "classic.log.gz", bytes: () => gzipSync(escuFixture("classic.log")) },
  { name: "gzip of Get-WinEvent JSON", file: "events.json.gz", bytes: () => gzipSync(escuFixture("get-winevent.json")) },
  { name: "zip of EVTX", file: "evtx.zip", bytes: () => makeZip([{ name: "Application.evtx", data: evtxFromXml(escuFixture("wevtutil.xml").toString("utf8")) }]) },
];
