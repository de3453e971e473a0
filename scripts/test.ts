// `npm test`: every check the project has — lint, type-check, unit and database tests (vitest), end-to-end
// tests in Chromium (Playwright) — then one closing line `N passed, N failed` that totals every runner.
//
// Database tests and the e2e dashboard run on scratch databases: on the server DATABASE_URL names when it is
// set (a fresh database each, dropped afterwards: your data is never touched), else on the embedded PGlite.
// The fault tests (tests/faults: the stack started as `npm start` starts it, its processes killed) need that
// server: without DATABASE_URL they are left out, saying so.
//   npm test -- --only=db,e2e      run a subset (lint, types, unit, db, faults, e2e)
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..");
const STEPS = ["lint", "types", "unit", "db", "faults", "e2e"] as const;
type Step = (typeof STEPS)[number];

const onlyArg = process.argv.find((a) => a.startsWith("--only="));
const selected = new Set<Step>(onlyArg ? (onlyArg.slice(7).split(",") as Step[]) : STEPS);

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: ROOT, env, stdio: "inherit" });
    child.on("exit", (code) => resolve(code ?? 1));
    child.on("error", () => resolve(127));
  });
}

const bin = (name: string) => path.join(ROOT, "node_modules/.bin", name);

interface Tally {
  passed: number;
  failed: number;
}

function vitestTally(file: string, exitCode: number): Tally {
  try {
    const report = JSON.parse(fs.readFileSync(file, "utf8")) as { numPassedTests: number; numFailedTests: number; numTotalTests: number };
    // A runner that crashed before reporting counts as one failure, so a broken suite can never look green.
    const failed = report.numFailedTests + (exitCode !== 0 && report.numFailedTests === 0 ? 1 : 0);
    return { passed: report.numPassedTests, failed };
  } catch {
    return { passed: 0, failed: 1 };
  }
}

function playwrightTally(file: string, exitCode: number): Tally {
  try {
    const report = JSON.parse(fs.readFileSync(file, "utf8")) as { stats: { expected: number; unexpected: number; flaky: number } };
    const failed = report.stats.unexpected + (exitCode !== 0 && report.stats.unexpected === 0 ? 1 : 0);
    return { passed: report.stats.expected + report.stats.flaky, failed };
  } catch {
    return { passed: 0, failed: 1 };
  }
}

async function main() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "iiswatch-test-"));
  const results: Record<string, Tally> = {};
  const check = async (name: Step, command: string, args: string[]) => {
    if (!selected.has(name)) return;
    console.log(`\n=== ${name}: ${[path.basename(command), ...args].join(" ")}`);
    const code = await run(command, args);
    results[name] = code === 0 ? { passed: 1, failed: 0 } : { passed: 0, failed: 1 };
  };

  await check("lint", bin("eslint"), ["--max-warnings=0", "."]);
  await check("types", bin("tsc"), ["--noEmit"]);

  for (const project of ["unit", "db", "faults"] as const) {
    if (!selected.has(project)) continue;
    if (project === "faults" && !process.env.DATABASE_URL) {
      console.log("\n=== faults: skipped: the fault tests need a PostgreSQL server (set DATABASE_URL)");
      continue;
    }
    const out = path.join(tmp, `vitest-${project}.json`);
    const database = project === "unit" ? "no database" : project === "faults" ? "PostgreSQL, the stack as npm start runs it" : process.env.DATABASE_URL ? "PostgreSQL" : "embedded PGlite";
    console.log(`\n=== ${project}: vitest --project ${project} (${database})`);
    const code = await run(bin("vitest"), ["run", "--project", project, "--reporter=default", "--reporter=json", `--outputFile.json=${out}`]);
    results[project] = vitestTally(out, code);
  }

  if (selected.has("e2e")) {
    const out = path.join(tmp, "playwright.json");
    const env: NodeJS.ProcessEnv = { ...process.env, PLAYWRIGHT_JSON_OUTPUT_NAME: out, E2E_DATA_DIR: path.join(tmp, "data") };
    let drop: (() => Promise<void>) | undefined;
    if (process.env.DATABASE_URL) {
      const { createScratchDatabase } = await import("../lib/db/scratch");
      const scratch = await createScratchDatabase("e2e");
      env.E2E_DATABASE_URL = scratch.url;
      drop = scratch.drop;
    }
    console.log(`\n=== e2e: playwright (${process.env.DATABASE_URL ? "PostgreSQL" : "embedded PGlite"})`);
    try {
      const code = await run(bin("playwright"), ["test"], env);
      results.e2e = playwrightTally(out, code);
    } finally {
      await drop?.();
    }
  }

  fs.rmSync(tmp, { recursive: true, force: true });
  const total = Object.values(results).reduce((t, r) => ({ passed: t.passed + r.passed, failed: t.failed + r.failed }), { passed: 0, failed: 0 });
  console.log("\n" + Object.entries(results).map(([k, r]) => `${k}: ${r.passed} passed, ${r.failed} failed`).join(" | "));
  if (process.env.TEST_SUMMARY_FILE) fs.writeFileSync(process.env.TEST_SUMMARY_FILE, JSON.stringify(total));
  console.log(`${total.passed} passed, ${total.failed} failed`);
  return total.failed === 0 ? 0 : 1;
}

main().then((code) => process.exit(code));
