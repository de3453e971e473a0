// `npm start`: the dashboard on http://localhost:3000 (PORT, HOST), on DATABASE_URL or — when it is unset — on
// the embedded database persisted under .data/ (IISWATCH_DATA_DIR). Applies pending migrations first, builds
// the app when there is no current build, then runs `next start`. `npm run dev` runs `next dev` instead.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { startEmbeddedDatabase, type EmbeddedDatabase } from "../lib/db/embedded";
import { deployMigrations } from "../lib/db/migrate";
import { redactUrl } from "../lib/db/url";

const ROOT = path.resolve(import.meta.dirname, "..");
const dev = process.argv.includes("--dev");
const port = process.env.PORT ?? "3000";
const host = process.env.HOST ?? "127.0.0.1";
const nextBin = path.join(ROOT, "node_modules/next/dist/bin/next");

/** Newest modification time under the app's source folders, to tell whether the build is stale. */
function newestSource(): number {
  let newest = 0;
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === "generated" || entry.name.startsWith(".")) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else newest = Math.max(newest, fs.statSync(full).mtimeMs);
    }
  };
  for (const dir of ["app", "components", "lib", "public"]) if (fs.existsSync(path.join(ROOT, dir))) walk(path.join(ROOT, dir));
  for (const file of ["next.config.js", "package-lock.json", "instrumentation.ts"]) {
    const full = path.join(ROOT, file);
    if (fs.existsSync(full)) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

function run(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [nextBin, ...args], { cwd: ROOT, env, stdio: "inherit" });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on("SIGINT", forward);
    process.on("SIGTERM", forward);
    child.on("exit", (code) => {
      process.off("SIGINT", forward);
      process.off("SIGTERM", forward);
      resolve(code ?? 1);
    });
  });
}

async function main() {
  let embedded: EmbeddedDatabase | null = null;
  let url = process.env.DATABASE_URL;
  if (!url) {
    embedded = await startEmbeddedDatabase();
    url = embedded.url;
    console.log(`database: embedded PGlite in ${path.relative(ROOT, path.resolve(process.env.IISWATCH_DATA_DIR ?? ".data"))}/ (set DATABASE_URL to use a PostgreSQL server)`);
  } else {
    console.log(`database: ${redactUrl(url)}`);
  }
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: url, NEXT_TELEMETRY_DISABLED: "1" };
  try {
    const applied = await deployMigrations(url);
    if (applied.length) console.log(`migrations applied: ${applied.join(", ")}`);

    if (dev) return await run(["dev", "-H", host, "-p", port], env);

    const buildId = path.join(ROOT, ".next/BUILD_ID");
    if (!fs.existsSync(buildId) || fs.statSync(buildId).mtimeMs < newestSource()) {
      console.log("building the dashboard (first start, or the code changed)…");
      const code = await run(["build"], env);
      if (code !== 0) return code;
    }
    console.log(`dashboard: http://${host === "0.0.0.0" ? "localhost" : host}:${port}`);
    return await run(["start", "-H", host, "-p", port], env);
  } finally {
    await embedded?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`start: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
