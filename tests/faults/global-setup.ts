// The fault tests' fixtures, written once per run into a temporary directory every test file reads: one log of
// records 1–100,000 cut two ways (whole, and two overlapping exports: records 1–60,000 and 40,001–100,000). Every
// cut lays its records on the same timeline — 100 records an hour, hours starting at hh:50 like the detections'
// windows ([hh:50, hh+1:50), ESCU's -70m@m..-10m@m of an hourly run) — so a record has the same time and identity
// in every file, no detection window holds records of two files of a cut, and the detections' results are the same
// whichever file of a cut stores its events first. The last event is 6 hours old or more: every window is due.
// (The app is built, when its build is stale, by the first stack a test starts: start.ts builds one at a time.)
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { writeFleetLog } from "./fixtures";

export interface FixtureFile {
  path: string;
  firstRecord: number;
  count: number;
}

export interface FixtureSet {
  /** Names the set (and its cached reference run). */
  name: string;
  files: FixtureFile[];
}

export interface FaultFixtures {
  dir: string;
  sets: { whole: FixtureSet; overlap: FixtureSet };
}

declare module "vitest" {
  export interface ProvidedContext {
    faultFixtures: FaultFixtures | null;
  }
}

const HOUR = 3_600_000;
const RECORDS = 100_000;
const RECORDS_PER_HOUR = 100;

export default async function setup(project: TestProject) {
  if (!process.env.DATABASE_URL) {
    // The tests skip themselves, saying why.
    project.provide("faultFixtures", null);
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "iiswatch-faults-"));
  const spanMs = (RECORDS / RECORDS_PER_HOUR) * HOUR;
  // Window-aligned (hh:50) start, so that the last event is at least 6 hours old.
  const start = Math.floor((Date.now() - spanMs - 6 * HOUR) / HOUR) * HOUR - 10 * 60_000;
  const write = async (name: string, firstRecord: number, count: number): Promise<FixtureFile> => {
    const file = path.join(dir, name);
    await writeFleetLog(file, { count, firstRecord, end: new Date(start + spanMs), spanMs, timeline: { firstRecord: 1, count: RECORDS } });
    return { path: file, firstRecord, count };
  };
  const started = Date.now();
  const sets: FaultFixtures["sets"] = {
    whole: { name: "whole", files: [await write("fleet-1-100000.xml", 1, RECORDS)] },
    overlap: { name: "overlap", files: [await write("fleet-1-60000.xml", 1, 60_000), await write("fleet-40001-100000.xml", 40_001, 60_000)] },
  };
  console.log(`fault tests: fixtures written to ${dir} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  project.provide("faultFixtures", { dir, sets });
  return () => fs.rmSync(dir, { recursive: true, force: true });
}
