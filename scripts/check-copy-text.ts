// Prints a digest of everything Node's share of ingest produces for a set of files — the COPY text of every event
// (and the embedded database's unnest rows), every rejection and every notice — one line per file, so that a
// change meant to be only faster can be shown to change nothing:
//   node --import tsx scripts/check-copy-text.ts > before.txt   (then, after the change)   … > after.txt; diff
// The files: every fixture and sample in the repository, a small demo fleet in each format, and hand-made files
// with what the fast paths must leave to the general ones (entities, CR/LF/TAB in text and attributes, non-ASCII,
// controls and NULs, CDATA, comments, namespaces, malformed records, odd times and keys).
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { writeDemoFleet } from "../lib/demo/load";
import { readLogFile } from "../lib/ingest/read-file";
import { EventBatch } from "../lib/ingest/store";

const ROOT = path.resolve(import.meta.dirname, "..");

function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile() && !/\.(md|yml|ya?ml)$/i.test(d.name))
    .map((d) => path.join(d.parentPath, d.name))
    .sort();
}

const xmlEvent = (system: string, body: string) =>
  `<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>${system}</System>${body}</Event>`;
const sys = (o: { id?: string; time?: string; rec?: string; channel?: string; computer?: string; extra?: string } = {}) =>
  `<Provider Name='Microsoft-Windows-IIS-W3SVC-WP' Guid='{670080d9-742a-4187-8d16-41143d1290bd}' EventSourceName='W3SVC-WP'/>` +
  `<EventID Qualifiers='49152'>${o.id ?? "2282"}</EventID><Version>0</Version><Level>2</Level><Task>0</Task><Opcode>0</Opcode>` +
  `<Keywords>0x80000000000000</Keywords><TimeCreated SystemTime='${o.time ?? "2023-04-17T18:50:04.0591248Z"}'/>` +
  `<EventRecordID>${o.rec ?? "12"}</EventRecordID><Correlation/><Execution ProcessID='4' ThreadID='8'/>` +
  `<Channel>${o.channel ?? "Application"}</Channel><Computer>${o.computer ?? "WEB-01.contoso.local"}</Computer><Security UserID='S-1-5-18'/>${o.extra ?? ""}`;
const data = (pairs: [string, string][]) => `<EventData>${pairs.map(([k, v]) => `<Data Name='${k}'>${v}</Data>`).join("")}</EventData>`;

/** XML records meant to take every branch of the fast path, saxes and the splitter. */
function trickyXml(): string {
  const records = [
    xmlEvent(sys(), data([["ModuleDll", "C:\\inetpub\\evil.dll"], ["A", "tab\there"], ["B", "line\r\nbreak\rcr\nlf"]])),
    xmlEvent(sys({ rec: "13" }), data([["E", "&amp; &lt; &gt; &quot; &apos; &#65; &#x42; &#x1F600;"], ["U", "héllo wörld ✓ 日本"], ["Emoji", "😀 x"]])),
    xmlEvent(sys({ rec: "14", computer: " spaced host " }), data([["Empty", ""], ["0", "x"]]) + "<RenderingInfo Culture='en-US'><Message>Line 1\r\nLine 2  \r\n</Message><Level>Error</Level></RenderingInfo>"),
    xmlEvent(sys({ rec: "15", time: "2023-04-17T20:50:04.0591248+02:00" }), data([["Z", "offset"]])),
    xmlEvent(sys({ rec: "16", time: "2023-04-17 18:50:04" }), ""),
    xmlEvent(sys({ rec: "17", time: "2024-02-29T23:59:59.9999999Z" }), ""),
    xmlEvent(sys({ rec: "18", time: "2023-02-29T00:00:00Z" }), ""),
    xmlEvent(sys({ rec: "19", time: "2023-04-31T00:00:00Z" }), ""),
    xmlEvent(sys({ rec: "20", time: "2023-13-01T00:00:00Z" }), ""),
    xmlEvent(sys({ rec: "21", time: "2023-04-17T24:00:00Z" }), ""),
    xmlEvent(sys({ rec: "22", time: "2023-04-17T18:60:00Z" }), ""),
    xmlEvent(sys({ rec: "23", time: "Mon, 17 Apr 2023 18:50:04 GMT" }), ""),
    xmlEvent(sys({ rec: "24", time: "not a time" }), ""),
    xmlEvent(sys({ rec: "25", time: "1969-12-31T23:59:59.5Z" }), ""),
    xmlEvent(sys({ rec: "26", time: "0001-01-01T00:00:00Z" }), ""),
    xmlEvent(sys({ rec: "27", time: "2023-04-17T18:50:04.5-05:30" }), ""),
    xmlEvent(sys({ rec: "28", time: "2023-04-17T18:50:04,5Z" }), ""),
    xmlEvent(sys({ rec: "29", time: "+002023-04-17T18:50:04Z" }), ""),
    xmlEvent(sys({ rec: "30", time: "2023-04-17T18:50:04.123456789012Z" }), ""),
    xmlEvent(sys({ rec: "31", time: "2023-04-17T18:50:04.1+0000" }), ""),
    xmlEvent(sys({ rec: "32", id: "3221227754" }), ""),
    xmlEvent(sys({ rec: "33", id: "abc" }), ""),
    xmlEvent(sys({ rec: "", channel: "" }), data([["NoRec", "content key"]])),
    xmlEvent(sys({ rec: "35" }).replace("<Channel>Application</Channel>", "<Channel/>"), ""),
    xmlEvent(sys({ rec: "36" }), "<EventData><Data>p0</Data><Data>p1</Data><Data Name='X'>1</Data><Data Name='X'>2</Data><Binary> 0A0B </Binary></EventData>"),
    xmlEvent(sys({ rec: "37" }), "<UserData><Ev xmlns='u'><Deep><Leaf>v</Leaf><Leaf>w</Leaf></Deep><__proto__>p</__proto__></Ev></UserData>"),
    xmlEvent(sys({ rec: "38" }), data([["C", "<![CDATA[a<b]]>"], ["D", "x<!-- c -->y"]])),
    xmlEvent(sys({ rec: "39" }), `<EventData><Data Name="dq">double "quoted"</Data><Data Name = 'sp' >v</Data ></EventData>`),
    xmlEvent(sys({ rec: "40" }), "<EventData><Data Name='a\tb\nc'>attr ws</Data><Data Name='ent&amp;'>v</Data></EventData>"),
    xmlEvent(sys({ rec: "41" }), "<EventData><Data Name='x' Name='y'>dup</Data></EventData>"),
    xmlEvent(sys({ rec: "42" }), "<EventData><Data Name='x' a:Name='y'>ns</Data></EventData>"),
    xmlEvent(sys({ rec: "43" }), "<EventData><Data Name='x'>mismatch</Dat></EventData>"),
    xmlEvent(sys({ rec: "44" }), "<EventData><Data Name='x'>bad &foo; entity</Data></EventData>"),
    xmlEvent(sys({ rec: "45" }), "<EventData><Data Name='x'>ctl \u0001 char</Data></EventData>"),
    xmlEvent(sys({ rec: "46" }), "<EventData><Data Name='x'>nul \u0000 char</Data></EventData>"),
    xmlEvent(sys({ rec: "47" }), "<EventData><Data Name='x'>private \uE000 use \uFFFD\uFEFF</Data></EventData>"),
    xmlEvent(sys({ rec: "48" }), "<EventData><Data Name='x'>back\\slash\\\\ and \\N</Data></EventData>"),
    xmlEvent(sys({ rec: "49" }), "<EventData><e:Data xmlns:e='z' Name='n'>prefixed</e:Data></EventData>"),
    xmlEvent(sys({ rec: "50" }), "<EventData><Data Name='x'>a]]>b</Data></EventData>"),
    xmlEvent(sys({ rec: "51" }), "<EventData><Data Name='x'>a > b</Data></EventData>"),
    xmlEvent(sys({ rec: "52", computer: "HOST\tTAB" }), ""),
    xmlEvent(sys({ rec: "53", channel: "Microsoft-IIS-Configuration/Operational" }), data([["configPath", "MACHINE/WEBROOT"], ["ModuleDll", "x.dll"]])),
    `<Event><System><Provider Name='p'/></System></Event>`,
    `<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'/>`,
    `<Other/>`,
    `stray text`,
    `<?pi x?><!-- comment --><Event>${"<System>" + sys({ rec: "60" }) + "</System>"}</Event>`,
    `<Event><System>${sys({ rec: "61" })}</System>`,
    `<Event><System>${sys({ rec: "62" })}</System></Event  >`,
    `\t<Event\n  xmlns="x">\r\n<System>${sys({ rec: "63" })}</System>\r\n<EventData>\r\n<Data Name="Multi">a\r\n  b</Data></EventData></Event>`,
  ];
  return records.join("\n") + "\n";
}

function trickyClassic(): string {
  const rec = (o: { time?: string; extra?: string; msg?: string } = {}) =>
    `${o.time ?? "04/17/2023 06:50:04 PM"}\nLogName=Application\nEventCode=2282\nEventType=2\nComputerName=WEB-01\nSourceName=Microsoft-Windows-IIS-W3SVC-WP\n` +
    `Type=Error\nRecordNumber=12\nKeywords=Classic\nTaskCategory=None\nOpCode=Info\n${o.extra ?? ""}Message=${o.msg ?? "The Module DLL C:\\evil.dll failed to load.  The data is the error."}\n`;
  return [
    rec(),
    rec({ time: "02/29/2024 11:59:59 PM", msg: "multi\nline\r\nmessage\twith tab" }),
    rec({ time: "02/29/2023 11:59:59 PM" }),
    rec({ time: "13/01/2023 01:00:00 AM" }),
    rec({ time: "04/17/2023 18:50:04", extra: "Sid=S-1-5-18\nSidType=1\n" }),
    rec({ msg: "unicode ✓ 😀 é \u0001" }),
    rec({ time: "garbage" }),
  ].join("");
}

function digest(batch: EventBatch, unnest: EventBatch): string {
  const h = crypto.createHash("sha256");
  for (const chunk of batch.copyChunks()) h.update(chunk);
  h.update(JSON.stringify(unnest.valueRows()));
  return h.digest("hex").slice(0, 16);
}

async function check(file: string, label: string): Promise<string> {
  const uploadId = "11111111-2222-3333-4444-555555555555";
  const copy = new EventBatch(uploadId, "copy");
  const unnest = new EventBatch(uploadId, "unnest");
  const others = crypto.createHash("sha256");
  let events = 0;
  let rejected = 0;
  try {
    for await (const { record, member, format } of readLogFile(file, { onNotice: (n) => others.update("notice " + JSON.stringify(n) + "\n") })) {
      others.update(`${member} ${format}\n`);
      if (record.ok) {
        copy.add(record.event);
        unnest.add(record.event);
        events++;
      } else {
        rejected++;
        others.update(JSON.stringify(record.rejected) + "\n");
      }
    }
  } catch (e) {
    others.update("error " + String(e) + "\n");
  }
  return `${label}: ${events} events ${digest(copy, unnest)}, ${rejected} rejected + notices/errors ${others.digest("hex").slice(0, 16)}`;
}

async function main() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "check-copy-"));
  try {
    const files = [...filesUnder(path.join(ROOT, "lib/ingest/formats/fixtures")), ...filesUnder(path.join(ROOT, "tests/fixtures/samples"))];
    const made: [string, string][] = [
      ["tricky.xml", trickyXml()],
      ["tricky-crlf.xml", trickyXml().replace(/\n/g, "\r\n")],
      ["tricky.log", trickyClassic()],
      ["tricky-crlf.log", trickyClassic().replace(/\n/g, "\r\n")],
    ];
    for (const [name, text] of made) {
      fs.writeFileSync(path.join(tmp, name), text);
      files.push(path.join(tmp, name));
    }
    const utf16 = path.join(tmp, "tricky-utf16.xml");
    fs.writeFileSync(utf16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(trickyXml(), "utf16le")]));
    files.push(utf16);
    const fleet = { days: 30, end: new Date("2026-11-01T00:00:00Z"), seed: 7, hosts: 6 };
    for (const format of ["xml", "classic"] as const) {
      const file = path.join(tmp, `fleet.${format === "xml" ? "xml" : "log"}`);
      await writeDemoFleet(file, { ...fleet, format });
      files.push(file);
    }
    for (const file of files) console.log(await check(file, file.startsWith(tmp) ? path.basename(file) : path.relative(ROOT, file)));
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
