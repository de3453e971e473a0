// Test support for the differential (oracle) tests: runs python-evtx's evtx_dump.py and libevtx's evtxexport on a
// sample, caches their output in the OS temp directory by file hash, and parses it into comparable records.
// Used only by tests (lib/ingest/evtx/evtx.oracle.test.ts); not part of the reader.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { SaxesParser } from "saxes";

export const PYTHON = "/usr/bin/python3";
export const EVTX_DUMP = "/usr/bin/evtx_dump.py";
export const EVTXEXPORT = "evtxexport";

/** Every *.evtx under dir, recursively, sorted. */
export function findEvtxFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return (readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => f.toLowerCase().endsWith(".evtx"))
    .map((f) => path.join(dir, f))
    .sort();
}

function findOnPath(cmd: string): string | null {
  for (const d of (process.env.PATH ?? "").split(path.delimiter)) {
    if (d && existsSync(path.join(d, cmd))) return path.join(d, cmd);
  }
  return null;
}

/** Why the oracles cannot run here, or null when both are installed. */
export function missingOracles(): string | null {
  const missing: string[] = [];
  if (!existsSync(PYTHON) || !existsSync(EVTX_DUMP)) missing.push(`${EVTX_DUMP} (apt-get install python3-evtx)`);
  if (!findOnPath(EVTXEXPORT)) missing.push(`${EVTXEXPORT} (apt-get install libevtx-utils)`);
  return missing.length ? `EVTX oracle tools missing: ${missing.join(", ")}` : null;
}

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { maxBuffer: 1 << 30, encoding: "utf8" }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(" ")} failed: ${err.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

const CACHE_DIR = path.join(os.tmpdir(), "iis-evtx-oracle-cache");

/** Runs an oracle on a file, with its output cached by the file's SHA-256. */
export async function oracleOutput(tool: "python-evtx" | "evtxexport", file: string): Promise<string> {
  const hash = createHash("sha256").update(readFileSync(file)).digest("hex");
  mkdirSync(CACHE_DIR, { recursive: true });
  const cached = path.join(CACHE_DIR, `${hash}.${tool}.xml`);
  if (existsSync(cached)) return readFileSync(cached, "utf8");
  const out = tool === "python-evtx" ? await run(PYTHON, [EVTX_DUMP, file]) : await run(EVTXEXPORT, ["-f", "xml", file]);
  const tmp = `${cached}.${process.pid}.tmp`;
  writeFileSync(tmp, out);
  renameSync(tmp, cached);
  return out;
}

export interface XNode {
  name: string;
  attrs: Record<string, string>;
  children: XNode[];
  text: string;
}

/** Parses XML into a minimal tree (text concatenated per element). */
export function parseXmlTree(xml: string): XNode {
  const parser = new SaxesParser({ xmlns: false, defaultXMLVersion: "1.1", forceXMLVersion: true });
  const root: XNode = { name: "#root", attrs: {}, children: [], text: "" };
  const stack: XNode[] = [root];
  parser.on("opentag", (t) => {
    const node: XNode = { name: t.name, attrs: t.attributes as Record<string, string>, children: [], text: "" };
    stack[stack.length - 1].children.push(node);
    stack.push(node);
  });
  parser.on("text", (t) => {
    stack[stack.length - 1].text += t;
  });
  parser.on("cdata", (t) => {
    stack[stack.length - 1].text += t;
  });
  parser.on("closetag", () => {
    stack.pop();
  });
  parser.on("error", (e) => {
    throw e;
  });
  parser.write(xml).close();
  return root;
}

/** What the oracle test compares for each record. */
export interface OracleRecord {
  recordId: string;
  eventId: string;
  time: string;
  computer: string;
  channel: string;
  provider: string;
  /** EventData <Data> as [name or position, value] in order, then UserData leaves as [element name, value]. */
  data: [string, string][];
}

function child(n: XNode | undefined, name: string): XNode | undefined {
  return n?.children.find((c) => c.name === name);
}

/**
 * Applies the reader's EventParts rules (formats/event-xml.ts: Data by Name, or 0-based position when it has none or
 * an empty one; <Binary> as "Binary"; UserData leaves at any depth by name) to a tree.
 */
export function oracleRecord(ev: XNode): OracleRecord {
  const sys = child(ev, "System");
  const data: [string, string][] = [];
  const ed = child(ev, "EventData");
  let pos = 0;
  for (const d of ed?.children ?? []) {
    if (d.name === "Binary") data.push(["Binary", d.text.trim()]);
    if (d.name !== "Data") continue;
    data.push([d.attrs.Name ? d.attrs.Name : String(pos), d.text]);
    pos++;
  }
  const ud = child(ev, "UserData");
  const leaves = (n: XNode): void => {
    for (const c of n.children) {
      if (c.children.length === 0) data.push([c.name, c.text]);
      else leaves(c);
    }
  };
  if (ud) leaves(ud);
  return {
    recordId: child(sys, "EventRecordID")?.text ?? "",
    eventId: child(sys, "EventID")?.text ?? "",
    time: child(sys, "TimeCreated")?.attrs.SystemTime ?? "",
    computer: child(sys, "Computer")?.text ?? "",
    channel: child(sys, "Channel")?.text ?? "",
    provider: child(sys, "Provider")?.attrs.Name ?? "",
    data,
  };
}

/** Keeps carriage returns through XML parsing (a parser turns a raw CR LF into LF; the values hold CR LF). */
function keepCR(xml: string): string {
  return xml.replace(/\r/g, "&#13;");
}

/** Records of python-evtx's evtx_dump.py output. */
export function parsePythonEvtx(out: string): XNode[] {
  return parseXmlTree(keepCR(out)).children[0]?.children.filter((c) => c.name === "Event") ?? [];
}

/**
 * python-evtx 0.6.1's rendering of a UTF-16 string array (WstringArrayTypeNode.string()), reproduced byte for byte
 * from the items we decoded: it searches for the first run of non-NUL characters (skipping, and so losing the place
 * of, leading empty strings), emits "<string>run</string>\n", then one "<string></string>\n" per NUL pair after it.
 */
export function pythonStringArrayText(items: string[]): string {
  let bin = Buffer.from(items.map((s) => s + "\0").join(""), "utf16le").toString("latin1");
  let acc = "";
  while (bin.length > 0) {
    const m = /(?:[^\x00][^\n])+/.exec(bin);
    if (m) {
      let frag = Buffer.from(m[0], "latin1");
      if (frag[0] === 0xff && frag[1] === 0xfe) frag = frag.subarray(2);
      acc += `<string>${frag.toString("utf16le")}</string>\n`;
      bin = bin.slice(m[0].length + 2);
      if (bin.length === 0) break;
    }
    const nuls = /^\x00*/.exec(bin)![0].length;
    if (nuls % 2) throw new Error("python-evtx would fail: uneven NULs");
    acc += "<string></string>\n".repeat(nuls / 2);
    bin = bin.slice(nuls);
  }
  return acc;
}

/** The <Event> blocks of evtxexport's output (first line is its banner), as raw text. */
export function evtxexportBlocks(out: string): string[] {
  return out.match(/<Event xmlns[\s\S]*?\n<\/Event>/g) ?? [];
}

/** Records of evtxexport's output. It writes control characters raw, which XML 1.1 accepts only as references. */
export function parseEvtxexport(out: string): XNode[] {
  const body = keepCR(evtxexportBlocks(out).join("\n")).replace(/[\u0001-\u0008\u000b\u000c\u000e-\u001f\u007f-\u0084\u0086-\u009f]/g, (c) => `&#x${c.charCodeAt(0).toString(16)};`);
  return parseXmlTree(`<Events>${body}</Events>`).children[0].children;
}

/**
 * python-evtx's rendering of a FILETIME: datetime.utcfromtimestamp(float(ticks) * 1e-7 - 11644473600), which rounds
 * half-even to microseconds through a double (so the last digit can differ from exact rounding), printed with
 * isoformat(' '). Input: our "YYYY-MM-DDTHH:MM:SS.fffffffZ".
 */
export function pythonFiletimeText(iso7: string): string | null {
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)\.(\d{7})Z$/.exec(iso7);
  if (!m) return null;
  const unix = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) / 1000;
  const ticks = (BigInt(unix) + 11644473600n) * 10000000n + BigInt(m[7]);
  const d = Number(ticks) * 1e-7 - 11644473600;
  let intpart = Math.trunc(d);
  let us = cRoundHalfEven((d - intpart) * 1e6);
  if (us >= 1e6) {
    us -= 1e6;
    intpart += 1;
  } else if (us < 0) {
    us += 1e6;
    intpart -= 1;
  }
  const base = new Date(intpart * 1000).toISOString().slice(0, 19).replace("T", " ");
  return us ? `${base}.${String(us).padStart(6, "0")}` : base;
}

function cRound(x: number): number {
  // C round(): half away from zero.
  const f = Math.floor(Math.abs(x));
  const r = Math.abs(x) - f >= 0.5 ? f + 1 : f;
  return x < 0 ? -r : r;
}

function cRoundHalfEven(x: number): number {
  let r = cRound(x);
  if (Math.abs(x - r) === 0.5) r = 2 * cRound(x / 2);
  return r;
}

/** Exact microsecond truncation of our time, as python-evtx prints a SYSTEMTIME (milliseconds * 1000). */
export function pythonSystemtimeText(iso7: string): string | null {
  const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)\.(\d{6})\dZ$/.exec(iso7);
  if (!m) return null;
  return m[3] === "000000" ? `${m[1]} ${m[2]}` : `${m[1]} ${m[2]}.${m[3]}`;
}
