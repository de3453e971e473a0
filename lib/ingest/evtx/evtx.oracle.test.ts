// Differential test: every EVTX sample in tests/fixtures/samples read by our reader and by python-evtx (evtx_dump.py),
// compared record by record: record id, event id, time, computer, channel, provider, every EventData/UserData
// name and value. Where python-evtx is wrong, libevtx's evtxexport must agree with us; each such exception is
// written down in ORACLE-EXCEPTIONS.md and encoded narrowly below (EXCEPTIONS). Our raw XML is also compared with
// evtxexport's rendering, which it follows.
//
// The oracles are required: if they are missing the test fails (CI installs python3-evtx and libevtx-utils).
import { createReadStream, readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { NormalizedEvent } from "../event";
import { DEFAULT_READ_OPTIONS } from "../parser";
import { evtxReader, readEvtxRecords } from "./index";
import type { XNode } from "../../../tests/support/evtx-oracles";
import { SAMPLES_DIR } from "../../../tests/samples";
import {
  evtxexportBlocks,
  pythonStringArrayText,
  findEvtxFiles,
  missingOracles,
  oracleOutput,
  oracleRecord,
  parseEvtxexport,
  parsePythonEvtx,
  pythonFiletimeText,
  pythonSystemtimeText,
} from "../../../tests/support/evtx-oracles";

const SAMPLES = SAMPLES_DIR;
const FILES = findEvtxFiles(SAMPLES);

/** Record counts python-evtx and evtxexport both give (guards against the samples silently changing). */
const EXPECTED_COUNTS: Record<string, number> = {
  "system.evtx": 1881,
  "2-vss_7-System.evtx": 1160,
  "security.evtx": 2261,
  "sysmon.evtx": 358,
  "Application_no_crc32.evtx": 17,
};

// ------------------------------------------------------------------------------------------ oracle exceptions
// Each rule: python-evtx's value differs from ours in one documented way (ORACLE-EXCEPTIONS.md); the test also
// demands evtxexport's value equals ours. Keys name the exceptions in ORACLE-EXCEPTIONS.md.
const RESTRICTED = /[\u0001-\u0008\u000b\u000c\u000e-\u001f\u007f-\u0084\u0086-\u009f]/g;
const EXCEPTIONS: Record<string, (ours: string, py: string) => boolean> = {
  // E2: python-evtx prints GUID values in lower case; Windows and evtxexport in upper case.
  "E2-guid-case": (ours, py) => /^\{[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\}$/.test(ours) && py === ours.toLowerCase(),
  // E3: python-evtx prints booleans as Python's True/False; Windows and evtxexport write true/false.
  "E3-boolean": (ours, py) => (ours === "true" && py === "True") || (ours === "false" && py === "False"),
  // E4: python-evtx prints FILETIME/SYSTEMTIME as "YYYY-MM-DD HH:MM:SS.ffffff" via a float (microseconds, last
  // digit sometimes off); we keep Windows' 100 ns ISO form.
  "E4-time": (ours, py) => py === pythonFiletimeText(ours) || py === pythonSystemtimeText(ours),
  // E5: python-evtx prints binary values in base64; Windows and evtxexport in upper-case hex.
  "E5-binary": (ours, py) => /^(?:[0-9A-F]{2})+$/.test(ours) && py === Buffer.from(ours, "hex").toString("base64"),
  // E6: python-evtx deletes C0/C1 control characters from values; the value holds them (evtxexport keeps them).
  "E6-control-chars": (ours, py) => RESTRICTED.test(ours) && py === ours.replace(RESTRICTED, ""),
};
// E1 (string arrays) and E7 (empty optional substitutions) change the element structure; see pythonData().

const STRING_ARRAY = /^(?:<string>[\s\S]*?<\/string>\n)+$/;

/**
 * python-evtx's data list with E1 applied: a Data value that python-evtx rendered as "<string>…</string>\n" items
 * stands for a string array, which Windows renders as one <Data> per item. If python-evtx's text is exactly what its
 * own rendering makes of our items (pythonStringArrayText), those items are taken as the expected values (python-evtx
 * also garbles arrays that start with empty items, which the reproduction accounts for); otherwise its items stay
 * as they are and the comparison fails.
 */
function pythonData(entries: [string, string][], ours: Map<string, string>): { entries: [string, string][]; arrays: number } {
  const out: [string, string][] = [];
  let arrays = 0;
  let pos = 0;
  for (const [name, value] of entries) {
    const positional = /^\d+$/.test(name);
    if (!STRING_ARRAY.test(value)) {
      out.push([positional ? String(pos++) : name, value]);
      continue;
    }
    const pyItems = [...value.matchAll(/<string>([\s\S]*?)<\/string>\n/g)].map((m) => m[1]);
    let items = pyItems;
    if (positional) {
      // python-evtx may print fewer or more items than the array holds (it loses leading empty items and can split
      // one item in two), so find how many of our items its text stands for.
      for (let k = 1; ours.has(String(pos + k - 1)); k++) {
        const mine = Array.from({ length: k }, (_, j) => ours.get(String(pos + j))!);
        if (pythonStringArrayText(mine) === value) {
          items = mine;
          break;
        }
      }
    } else {
      const mine = repeated(ours, name);
      if (mine && pythonStringArrayText(mine) === value) items = mine;
    }
    arrays++; // each string array is read through rule E1
    for (const item of items) out.push([positional ? String(pos++) : name, item]);
  }
  return { entries: out, arrays };
}

/** The reader's rule for a repeated name (formats/event-xml.ts): the first value keeps it, later ones "name#2", … */
function toMap(entries: [string, string][]): Map<string, string> {
  const m = new Map<string, string>();
  for (const [k, v] of entries) {
    let key = k;
    for (let n = 2; m.has(key); n++) key = `${k}#${n}`;
    m.set(key, v);
  }
  return m;
}

/** The values of a repeated name as the reader keeps them: name, name#2, name#3, … */
function repeated(ours: Map<string, string>, name: string): string[] | undefined {
  if (!ours.has(name)) return undefined;
  const out = [ours.get(name)!];
  for (let n = 2; ours.has(`${name}#${n}`); n++) out.push(ours.get(`${name}#${n}`)!);
  return out;
}

/** evtxexport writes 9 fractional digits (…00Z); we write Windows' 7. */
function eeNorm(v: string | undefined): string | undefined {
  return v?.replace(/^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7})00Z$/, "$1Z");
}

interface FileResult {
  events: NormalizedEvent[];
  rejected: string[];
  xml: string[];
  python: XNode[];
  ee: XNode[];
  eeBlocks: string[];
}

const results = new Map<string, FileResult>();
let setupError: string | null = null;

beforeAll(async () => {
  setupError = missingOracles();
  if (setupError) return;
  await Promise.all(
    FILES.map(async (file) => {
      const [py, ee] = await Promise.all([oracleOutput("python-evtx", file), oracleOutput("evtxexport", file)]);
      const events: NormalizedEvent[] = [];
      const rejected: string[] = [];
      for await (const r of evtxReader.read(createReadStream(file), DEFAULT_READ_OPTIONS)) {
        if (r.ok) events.push(r.event);
        else rejected.push(`${r.rejected.location}: ${r.rejected.reason}`);
      }
      const xml: string[] = [];
      for await (const it of readEvtxRecords(createReadStream(file))) if (it.kind === "record") xml.push(it.xml);
      results.set(file, { events, rejected, xml, python: parsePythonEvtx(py), ee: parseEvtxexport(ee), eeBlocks: evtxexportBlocks(ee) });
    }),
  );
}, 600_000);

describe("EVTX reader vs python-evtx and evtxexport", () => {
  it("finds the sample files and the oracle tools", () => {
    expect(setupError, setupError ?? "").toBeNull();
    expect(FILES.length).toBeGreaterThanOrEqual(7);
  });

  const used = new Map<string, number>();

  describe.each(FILES.map((f) => [path.relative(SAMPLES, f), f]))("%s", (_name, file) => {
    it("yields the same records with the same fields and data", () => {
      expect(setupError, setupError ?? "").toBeNull();
      const r = results.get(file)!;
      expect(r.rejected).toEqual([]);
      expect(r.events.length).toBe(r.python.length);
      expect(r.ee.length).toBe(r.python.length);
      const expected = EXPECTED_COUNTS[path.basename(file)];
      if (expected !== undefined) expect(r.events.length).toBe(expected);

      const problems: string[] = [];
      const note = (rule: string): void => {
        used.set(rule, (used.get(rule) ?? 0) + 1);
      };
      const explain = (what: string, ours: string | undefined, py: string | undefined, ee: string | undefined): void => {
        if (ours === py) return;
        if (ours !== undefined && py !== undefined) {
          for (const [rule, applies] of Object.entries(EXCEPTIONS)) {
            if (applies(ours, py)) {
              if (eeNorm(ee) === ours) return note(rule);
              problems.push(`${what}: python-evtx ${JSON.stringify(py)} vs ours ${JSON.stringify(ours)} (${rule}) but evtxexport says ${JSON.stringify(ee)}`);
              return;
            }
          }
        }
        // E7: python-evtx renders an element for an optional substitution that has no value; Windows omits it.
        if (ours === undefined && py === "" && ee === undefined) return note("E7-empty-optional-substitution");
        problems.push(`${what}: python-evtx ${JSON.stringify(py)} vs ours ${JSON.stringify(ours)} (evtxexport ${JSON.stringify(ee)})`);
      };

      r.events.forEach((ev, i) => {
        const py = oracleRecord(r.python[i]);
        const ee = oracleRecord(r.ee[i]);
        const at = `record ${py.recordId} (#${i + 1})`;
        explain(`${at} recordId`, String(ev.recordId), py.recordId, ee.recordId);
        explain(`${at} eventId`, String(ev.eventCode), py.eventId, ee.eventId);
        explain(`${at} time`, ev.timeCreated ?? undefined, py.time, ee.time);
        expect(ev.time.toISOString().slice(0, 23)).toBe(ev.timeCreated!.slice(0, 23));
        explain(`${at} computer`, ev.host, py.computer, ee.computer);
        explain(`${at} channel`, ev.channel, py.channel, ee.channel);
        explain(`${at} provider`, ev.provider, py.provider, ee.provider);
        const ours = new Map(Object.entries(ev.data).map(([k, v]) => [k, v ?? ""]));
        const pd = pythonData(py.data, ours);
        for (let k = 0; k < pd.arrays; k++) note("E1-string-array");
        const pyMap = toMap(pd.entries);
        const eeMap = toMap(ee.data);
        for (const key of new Set([...pyMap.keys(), ...ours.keys()])) explain(`${at} data[${key}]`, ours.get(key), pyMap.get(key), eeMap.get(key));
      });
      expect(problems.slice(0, 25), `${problems.length} differences`).toEqual([]);
    });

    it("renders each record's XML as evtxexport does", () => {
      expect(setupError, setupError ?? "").toBeNull();
      const r = results.get(file)!;
      expect(r.xml.length).toBe(r.eeBlocks.length);
      const diffs: string[] = [];
      r.xml.forEach((ours, i) => {
        const ee = r.eeBlocks[i]
          // evtxexport writes 9 fractional digits; Windows (and we) write 7.
          .replace(/(\.\d{7})00Z"/g, '$1Z"')
          .replace(/(>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7})00Z</g, "$1Z<")
          // X1: evtxexport writes control characters raw (not well-formed XML); we write character references.
          .replace(/[\u0001-\u0008\u000b\u000c\u000e-\u001f]/g, (c) => `&#x${c.charCodeAt(0).toString(16).toUpperCase()};`);
        // X2: evtxexport renders an element whose whole text is a line break as empty; python-evtx and we keep it.
        const mine = ours.replace(/<(\w+)((?: \w+="[^"]*")*)>\r?\n<\/\1>/g, "<$1$2/>");
        if (mine !== ee) diffs.push(`record #${i + 1}:\n--- evtxexport\n${ee}\n+++ ours\n${ours}`);
      });
      expect(diffs.slice(0, 3), `${diffs.length} records differ`).toEqual([]);
    });
  });

  it("needed only the documented python-evtx exceptions", () => {
    // Every rule used must have its section in ORACLE-EXCEPTIONS.md ("## E<n> — …"); print the tally for the record.
    const documented = new Set([...readFileSync(path.join(import.meta.dirname, "ORACLE-EXCEPTIONS.md"), "utf8").matchAll(/^## (E\d+) /gm)].map((m) => m[1]));
    expect(documented.size).toBeGreaterThan(0);
    for (const rule of used.keys()) expect(documented.has(rule.split("-")[0]), rule).toBe(true);
    console.info("python-evtx exceptions applied:", Object.fromEntries([...used.entries()].sort()));
  });
});
