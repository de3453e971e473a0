// The command line as an analyst runs it (issue: "iiswatch parse FILE [--format F]" prints normalized events as
// JSON lines; "iiswatch ingest FILE…" runs the same pipeline server-side), against the test database.
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { beforeEach, describe, expect, it } from "vitest";
import { db } from "../lib/db/client";
import { resetDatabase } from "./db-setup";
import { SAMPLE_2282_XML, SAMPLE_EVTX } from "./samples";

const ROOT = path.resolve(import.meta.dirname, "..");
const run = promisify(execFile);

/** Runs `iiswatch args…`; resolves with its output and exit code, whatever the code. */
async function iiswatch(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [path.join(ROOT, "bin/iiswatch.js"), ...args], { cwd: ROOT, env: process.env, maxBuffer: 64 << 20 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const failed = e as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? 1, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
  }
}

beforeEach(resetDatabase);

describe("iiswatch parse", () => {
  it("prints each normalized event as one JSON line, with the Splunk fields the detections use", async () => {
    const { code, stdout } = await iiswatch("parse", SAMPLE_2282_XML);
    expect(code).toBe(0);
    const events = stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      host: "win-dc-exch01.attackrange.local",
      channel: "Application",
      eventCode: 2282,
      recordId: 1001307,
      timeCreated: "2022-12-20T15:58:25.325383600Z",
      data: { ModuleDll: "c:\\temp\\msf.dll" },
    });
    expect(await db().event.count()).toBe(0); // parsing stores nothing
  });

  it("refuses a file that is not a log, saying where, with a failing exit code", async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "iiswatch-cli-")), "notes.txt");
    fs.writeFileSync(file, "Dear diary\n");
    const { code, stderr } = await iiswatch("parse", file);
    expect(code).not.toBe(0);
    expect(stderr).toContain("not a Windows event log: 'notes.txt'");
    expect(stderr).toContain("(at byte 0)");
  });

  it("reads several files in one process, going on past a bad and a missing one, each named in its error", async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "iiswatch-cli-"));
    const notes = path.join(tmp, "notes.txt");
    fs.writeFileSync(notes, "Dear diary\n");
    const missing = path.join(tmp, "missing.evtx");
    const { code, stdout, stderr } = await iiswatch("parse", SAMPLE_2282_XML, notes, missing, SAMPLE_EVTX);
    expect(code).toBe(1); // a file failed; the others were read
    const events = stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(events[0]).toMatchObject({ file: SAMPLE_2282_XML, eventCode: 2282 });
    expect(events.slice(1).every((e) => e.file === SAMPLE_EVTX && e.format === "evtx")).toBe(true);
    expect(stderr).toContain(`${SAMPLE_2282_XML}: 1 record read, 1 event, 0 rejected, 0 notices (xml)`);
    expect(stderr).toContain(`${notes}: failed: not a Windows event log: 'notes.txt'`);
    expect(stderr).toContain(`${missing}: failed: no such file`);
    const lines = stderr.trim().split("\n");
    expect(lines.find((l) => l.startsWith(`${SAMPLE_EVTX}: `))).toMatch(new RegExp(`: ${events.length - 1} records read, ${events.length - 1} events, 0 rejected, \\d+ notices? \\(evtx\\)$`));
    expect(lines.at(-1)).toMatch(new RegExp(`^total: 4 files \\(2 failed\\), ${events.length} records read, ${events.length} events, 0 rejected, \\d+ notices?$`));
    expect(await db().event.count()).toBe(0);
  });
});

describe("iiswatch ingest", () => {
  it("stores through the upload pipeline, runs the detections, and stores nothing twice", async () => {
    const first = await iiswatch("ingest", SAMPLE_2282_XML);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain("1 records read, 1 stored, 0 duplicate, 0 rejected");
    expect(first.stdout).toMatch(/detections: \d+ run\(s\), 1 new result\(s\)/);
    expect(await db().event.count()).toBe(1);
    expect(await db().detectionResult.count()).toBe(1);

    const again = await iiswatch("ingest", SAMPLE_2282_XML);
    expect(again.stdout).toContain("1 records read, 0 stored, 1 duplicate, 0 rejected");
    expect(await db().event.count()).toBe(1);
    expect(await db().upload.count()).toBe(2);
  });
});

describe("iiswatch uploads delete", () => {
  it("deletes an upload with the events only it holds and its results, keeps events another upload holds, and audits it", async () => {
    const first = await iiswatch("ingest", SAMPLE_2282_XML);
    const second = await iiswatch("ingest", SAMPLE_2282_XML);
    const id = (out: string) => /\(upload ([0-9a-f-]{36})\)/.exec(out)![1];
    // The event is the first upload's; the second holds it too (a duplicate). Deleting the first keeps it.
    const deleted = await iiswatch("uploads", "delete", id(first.stdout));
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toContain("0 events, 0 results, 0 risk events, 0 notables; 1 events kept");
    expect(await db().event.count()).toBe(1);
    expect((await db().event.findFirstOrThrow()).uploadId).toBe(id(second.stdout));
    expect(await db().detectionResult.count()).toBe(1);
    // Now the second is its only holder: deleting it removes the event and the result derived from it.
    const last = await iiswatch("uploads", "delete", id(second.stdout));
    expect(last.stdout).toMatch(/1 events, 1 results, 1 risk events, 0 notables; 0 events kept/);
    expect(await db().event.count()).toBe(0);
    expect(await db().detectionResult.count()).toBe(0);
    expect(await db().host.count()).toBe(0);
    const audit = await db().auditLog.findMany({ where: { action: "upload.delete" } });
    expect(audit.map((a) => a.actorName?.startsWith("cli:"))).toEqual([true, true]);
  });
});

describe("iiswatch retention", () => {
  it("shows the partitions and the policy, and with --apply drops the partitions past the retention (audited)", async () => {
    // The sample 2282 is from 2022: a retention of 365 days lets its month go.
    const ingested = await iiswatch("ingest", SAMPLE_2282_XML);
    expect(ingested.code).toBe(0);
    const shown = await iiswatch("retention");
    expect(shown.stdout).toContain("retention: everything is kept");
    expect(shown.stdout).toMatch(/2022-\d\d-01T00:00:00\.000Z/);
    const applied = await run(process.execPath, [path.join(ROOT, "bin/iiswatch.js"), "retention", "--apply"], {
      cwd: ROOT,
      env: { ...process.env, IISWATCH_RETENTION_DAYS: "365" },
    });
    expect(applied.stdout).toMatch(/retention: 365 days/);
    expect(applied.stdout).toMatch(/dropped 2022-\d\d-01T00:00:00\.000Z to 20\d\d-\d\d-01T00:00:00\.000Z: 1 events of 1 hosts in \d+ ms/);
    expect(await db().event.count()).toBe(0);
    expect(await db().detectionResult.count()).toBe(1);
    const audit = await db().auditLog.findMany({ where: { action: "events.expire" } });
    expect(audit.map((a) => a.actorName?.startsWith("cli:"))).toEqual([true]);
  });
});
