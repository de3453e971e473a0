// `iiswatch parse FILE…` in-process (parseFiles): many files, a bad and a missing one among them, and the command's
// import graph, which must not reach the database layer.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { SAMPLE_2282_XML, SAMPLE_EVTX } from "../tests/samples";
import { parseFiles } from "./iiswatch-parse";

const ROOT = path.resolve(import.meta.dirname, "..");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "iiswatch-parse-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function capture() {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on("data", (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString("utf8") };
}

async function parse(files: string[], events = true) {
  const out = capture();
  const err = capture();
  const summaries = await parseFiles(files, { events }, { out: out.stream, err: err.stream });
  return { summaries, stdout: out.text(), stderr: err.text() };
}

describe("parseFiles", () => {
  it("reads several files in one go, going on past a bad and a missing one, each named in its error", async () => {
    const notes = path.join(dir, "notes.txt");
    fs.writeFileSync(notes, "Dear diary\n");
    const missing = path.join(dir, "missing.evtx");
    const partly = path.join(dir, "partly.xml");
    const rec = (id: number, computer: string) =>
      `<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='P'/><EventID>1</EventID>` +
      `<TimeCreated SystemTime='2024-01-01T00:00:0${id}Z'/><EventRecordID>${id}</EventRecordID><Channel>Application</Channel><Computer>${computer}</Computer></System></Event>`;
    fs.writeFileSync(partly, `<Events>\n${rec(1, "A")}\n${rec(2, "B\u0000")}\n${rec(3, "C")}\n</Events>\n`);

    const { summaries, stdout, stderr } = await parse([SAMPLE_2282_XML, notes, missing, SAMPLE_EVTX, partly]);
    expect(summaries.map((s) => [path.basename(s.file), s.records, s.events, s.rejected, s.error ?? null])).toEqual([
      [path.basename(SAMPLE_2282_XML), 1, 1, 0, null],
      ["notes.txt", 0, 0, 0, expect.stringMatching(/^not a Windows event log: 'notes\.txt' .*\(at byte 0\)$/)],
      ["missing.evtx", 0, 0, 0, "no such file"],
      [path.basename(SAMPLE_EVTX), expect.any(Number), expect.any(Number), 0, null],
      ["partly.xml", 3, 2, 1, null],
    ]);
    const events = stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(events.length).toBe(1 + summaries[3].events + 2);
    expect(events[0]).toMatchObject({ file: SAMPLE_2282_XML, eventCode: 2282, channel: "Application" });
    expect(events.at(-1)).toMatchObject({ file: partly, host: "C" });
    expect(stderr).toContain(`${notes}: failed: not a Windows event log: 'notes.txt'`);
    expect(stderr).toContain(`${missing}: failed: no such file\n`);
    expect(stderr).toContain(`rejected: ${partly}: line 3: binary data (a NUL byte) inside the record`);
    expect(stderr).toContain(`${partly}: 3 records read, 2 events, 1 rejected, 0 notices (xml)\n`);
    expect(stderr.trim().split("\n").at(-1)).toBe(
      `total: 5 files (2 failed), ${3 + 1 + summaries[3].records} records read, ${3 + summaries[3].events} events, 1 rejected, ${summaries[3].notices} notices`,
    );
  });

  it("prints only the summaries with events off", async () => {
    const { stdout, stderr } = await parse([SAMPLE_2282_XML], false);
    expect(stdout).toBe("");
    expect(stderr).toBe(`${SAMPLE_2282_XML}: 1 record read, 1 event, 0 rejected, 0 notices (xml)\n`);
  });
});

describe("the parse command's imports", () => {
  /** Every module a file imports (static and dynamic), followed through the repository's own files. */
  function importGraph(entry: string): { files: Set<string>; packages: Set<string> } {
    const files = new Set<string>();
    const packages = new Set<string>();
    const visit = (file: string) => {
      if (files.has(file)) return;
      files.add(file);
      const source = fs.readFileSync(file, "utf8");
      for (const m of source.matchAll(/^\s*(?:import|export)\s+(?!type\b)(?:[^"';]*?\s+from\s+)?["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)/gm)) {
        const spec = m[1] ?? m[2];
        if (spec.startsWith(".") || spec.startsWith("@/")) {
          const base = spec.startsWith("@/") ? path.join(ROOT, spec.slice(2)) : path.resolve(path.dirname(file), spec);
          const resolved = [base, `${base}.ts`, `${base}.tsx`, path.join(base, "index.ts")].find((p) => fs.existsSync(p) && fs.statSync(p).isFile());
          if (resolved && /\.tsx?$/.test(resolved)) visit(resolved);
        } else if (!spec.startsWith("node:")) {
          packages.add(spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]);
        }
      }
    };
    visit(entry);
    return { files, packages };
  }

  it("does not reach the database layer (lib/db, Prisma, pg, the job queue)", () => {
    const { files, packages } = importGraph(path.join(ROOT, "scripts/iiswatch-parse.ts"));
    expect([...files].map((f) => path.relative(ROOT, f))).toContain("lib/ingest/read-file.ts");
    expect([...files].filter((f) => /lib\/(db|jobs|pipeline)\//.test(f)).map((f) => path.relative(ROOT, f))).toEqual([]);
    expect([...packages].filter((p) => /^(pg|pg-boss|pg-copy-streams|@prisma|@electric-sql)$/.test(p))).toEqual([]);
    // The walk does see the database layer where it is: the ingest job's graph holds it.
    const job = importGraph(path.join(ROOT, "lib/ingest/ingest-job.ts"));
    expect([...job.files].some((f) => /lib\/db\//.test(f))).toBe(true);
    expect(job.packages.has("pg-copy-streams")).toBe(true);
  });

  it("is what iiswatch.ts loads at start: the database modules only when a database command runs", () => {
    const source = fs.readFileSync(path.join(ROOT, "scripts/iiswatch.ts"), "utf8");
    const staticImports = [...source.matchAll(/^import\s+(?!type\b)[^;]*?from\s+["']([^"']+)["']/gm)].map((m) => m[1]);
    expect(staticImports.filter((s) => !s.startsWith("node:"))).toEqual(["commander", "../lib/ingest/event"]);
  });
});
