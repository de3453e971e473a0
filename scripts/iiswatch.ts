// iiswatch — the command line of IIS Module Watch.
//   iiswatch parse FILE [--format F]     normalized events as JSON lines (rejections on stderr)
//   iiswatch ingest FILE… [--format F]   the upload pipeline, server-side, with a progress bar
//   iiswatch detect --from T --to T      ES "run search": a detection's rows over any time range (reports nothing)
//   iiswatch detect --replay             replay stored history as the hourly schedule would have run it
//   iiswatch demo                        load the demo fleet (and run the detections over it)
//   iiswatch users create NAME [--admin | --role R] [--password-stdin]   an account (the first admin, say)
//   iiswatch users list | set-password NAME | set-role NAME ROLE | disable NAME | enable NAME
//   iiswatch migrate                     apply pending database migrations
// Database commands use DATABASE_URL, or the embedded database (.data/, or the running dashboard's) when unset.
import fs from "node:fs";
import path from "node:path";
import { Command, InvalidArgumentError, Option } from "commander";
import cliProgress from "cli-progress";
import { withDatabaseUrl } from "../lib/db/embedded";
import { deployMigrations } from "../lib/db/migrate";
import { INPUT_FORMATS, type InputFormat } from "../lib/ingest/event";
import { readLogFile } from "../lib/ingest/read-file";

const program = new Command("iiswatch").description("IIS Module Watch: catch malicious IIS modules in Windows event logs");
const recordDefaultOptions = (cmd: Command) =>
  cmd
    .option("--host <name>", "computer name for records that do not carry one (Event Viewer CSV)")
    .option("--channel <log>", "log name for records that do not carry one (Event Viewer CSV)");
const formatOption = () => new Option("-f, --format <format>", "input format (default: detected from the content)").choices(INPUT_FORMATS as unknown as string[]);

recordDefaultOptions(program
  .command("parse"))
  .description("print a log file's normalized events as JSON lines (rejected records go to stderr)")
  .argument("<file>")
  .addOption(formatOption())
  .action(async (file: string, opts: { format?: InputFormat; host?: string; channel?: string }) => {
    let rejected = 0;
    for await (const { member, record } of readLogFile(file, opts)) {
      if (record.ok) {
        const { raw, ...event } = record.event;
        process.stdout.write(JSON.stringify({ ...event, raw }) + "\n");
      } else {
        rejected++;
        process.stderr.write(`rejected: ${member} ${record.rejected.location ?? `record ${record.rejected.position}`}: ${record.rejected.reason}\n`);
      }
    }
    if (rejected) process.stderr.write(`${rejected} record(s) rejected\n`);
  });

recordDefaultOptions(program
  .command("ingest"))
  .description("ingest log files into the database (same pipeline as a browser upload)")
  .argument("<files...>")
  .addOption(formatOption())
  .action(async (files: string[], opts: { format?: InputFormat; host?: string; channel?: string }) => {
    await withDatabase(async () => {
      const { db } = await import("../lib/db/client");
      const { processUpload, tidyEventsTable } = await import("../lib/ingest/pipeline");
      const { runForNewEvents } = await import("../lib/detections");
      let failures = 0;
      for (const file of files) {
        const size = fs.statSync(file).size;
        const upload = await db().upload.create({ data: { filename: path.basename(file), format: opts.format ?? null, status: "queued" } });
        const bar = new cliProgress.SingleBar(
          { format: `${path.basename(file)} [{bar}] {percentage}% | {records} records, {stored} stored, {duplicates} duplicate, {rejected} rejected`, hideCursor: true },
          cliProgress.Presets.shades_classic,
        );
        if (process.stderr.isTTY) bar.start(size, 0, { records: 0, stored: 0, duplicates: 0, rejected: 0 });
        try {
          const p = await processUpload(upload.id, file, {
            format: opts.format,
            host: opts.host,
            channel: opts.channel,
            onProgress: (p) => bar.update(p.bytesProcessed, { records: p.recordsRead, stored: p.stored, duplicates: p.duplicates, rejected: p.rejected }),
          });
          bar.stop();
          console.log(`${file}: ${p.recordsRead} records read, ${p.stored} stored, ${p.duplicates} duplicate, ${p.rejected} rejected (upload ${upload.id})`);
          const runs = await runForNewEvents(upload.id);
          console.log(`  detections: ${runs.length} run(s), ${runs.reduce((n, r) => n + r.resultCount, 0)} new result(s)`);
        } catch (e) {
          bar.stop();
          failures++;
          console.error(`${file}: failed: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
      await tidyEventsTable();
      if (failures) process.exitCode = 1;
    });
  });

/** Runs `fn` against DATABASE_URL or the embedded database, migrated, and closes the pools afterwards. */
async function withDatabase<T>(fn: () => Promise<T>): Promise<T> {
  return withDatabaseUrl(async (url) => {
    process.env.DATABASE_URL = url;
    await deployMigrations(url);
    const { disconnectDb } = await import("../lib/db/client");
    const { closePgPool } = await import("../lib/db/pg");
    try {
      return await fn();
    } finally {
      await disconnectDb();
      await closePgPool();
    }
  });
}

const isoTime = (what: string) => (value: string) => {
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw new InvalidArgumentError(`${what} must be a time such as 2026-11-01T00:00:00Z`);
  return d;
};

program
  .command("detect")
  .description("run the detections: ad-hoc over --from/--to (ES \"run search\": prints rows, reports nothing), or --replay stored history")
  .option("--from <time>", "start of the event-time range (ISO 8601)", isoTime("--from"))
  .option("--to <time>", "end of the event-time range, exclusive (ISO 8601)", isoTime("--to"))
  .option("-d, --detection <id>", "only this detection (id or name)")
  .option("--replay", "replay history run by run: results, risk events and notables, as the hourly schedule would have produced them")
  .option("--json", "print rows as JSON lines")
  .action(async (opts: { from?: Date; to?: Date; detection?: string; replay?: boolean; json?: boolean }) => {
    await withDatabase(async () => {
      const { listDetections, replayHistory, runAdhoc } = await import("../lib/detections");
      const detections = await listDetections();
      const detection = opts.detection ? detections.find((d) => d.spec.id === opts.detection || d.spec.name === opts.detection) : undefined;
      if (opts.detection && !detection) throw new Error(`no detection '${opts.detection}' (one of: ${detections.map((d) => d.spec.id).join(", ")})`);
      if (opts.replay) {
        const runs = await replayHistory({ from: opts.from, to: opts.to, detectionIds: detection ? [detection.spec.id] : undefined });
        const results = runs.reduce((n, r) => n + r.resultCount, 0);
        console.log(`replayed ${runs.length} run(s): ${results} new result(s)`);
        return;
      }
      if (!opts.from || !opts.to) throw new Error("an ad-hoc run needs --from and --to (or use --replay)");
      for (const { detectionId, rows } of await runAdhoc({ detectionId: detection?.spec.id, from: opts.from, to: opts.to })) {
        const name = detections.find((d) => d.spec.id === detectionId)?.spec.name ?? detectionId;
        if (opts.json) {
          for (const row of rows) console.log(JSON.stringify({ detection: name, ...row.fields }));
        } else {
          console.log(`${name}: ${rows.length} row(s)`);
          if (rows.length) console.table(rows.map((r) => r.fields));
        }
      }
    });
  });

program
  .command("demo")
  .description("load a realistic demo fleet (40 IIS servers over 30 days) and run the detections over it")
  .action(async () => {
    await withDatabase(async () => {
      const { loadDemoData } = await import("../lib/demo/load");
      const { setAfterUpload } = await import("../lib/ingest/uploads");
      const { runForNewEvents } = await import("../lib/detections");
      // As the server wires it (instrumentation.ts): the detections run over each upload once it lands.
      setAfterUpload((uploadId) => runForNewEvents(uploadId));
      const { fleet, upload } = await loadDemoData();
      console.log(`demo fleet: ${fleet.hosts.length} hosts, ${upload.stored} events stored (${upload.duplicates} already there)`);
      console.log(`planted: modules installed on ${fleet.compromised.map((c) => c.host).join(", ")}; DLLs failing on ${fleet.failing.map((f) => f.host).join(", ")}; no IIS configuration log on ${fleet.withoutIisConfigLog.join(", ")}`);
    });
  });

/** A password from stdin (first line), or asked twice on the terminal without echo. */
async function readPassword(fromStdin: boolean): Promise<string> {
  if (fromStdin || !process.stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString("utf8").split(/\r?\n/)[0];
  }
  const ask = (prompt: string) =>
    new Promise<string>((resolve) => {
      process.stderr.write(prompt);
      const stdin = process.stdin;
      stdin.setRawMode(true);
      stdin.resume();
      let value = "";
      const onData = (data: Buffer) => {
        for (const ch of data.toString("utf8")) {
          if (ch === "\r" || ch === "\n") {
            stdin.setRawMode(false);
            stdin.pause();
            stdin.off("data", onData);
            process.stderr.write("\n");
            resolve(value);
            return;
          }
          if (ch === "\u0003") process.exit(130);
          value = ch === "\u007f" ? value.slice(0, -1) : value + ch;
        }
      };
      stdin.on("data", onData);
    });
  const first = await ask("Password: ");
  const second = await ask("Repeat password: ");
  if (first !== second) throw new Error("the passwords differ");
  return first;
}

const users = program.command("users").description("manage accounts");

users
  .command("create")
  .description("create an account (the first admin with --admin)")
  .argument("<username>")
  .option("--admin", "give it the admin role")
  .addOption(new Option("--role <role>", "its role").choices(["analyst", "triager", "admin"]).default("analyst"))
  .option("--password-stdin", "read the password from standard input")
  .action(async (username: string, opts: { admin?: boolean; role: "analyst" | "triager" | "admin"; passwordStdin?: boolean }) => {
    const password = await readPassword(Boolean(opts.passwordStdin));
    await withDatabase(async () => {
      const { createUser } = await import("../lib/auth/users");
      const { cliActor } = await import("../lib/audit/log");
      const user = await createUser({ username, password, role: opts.admin ? "admin" : opts.role }, cliActor());
      console.log(`created ${user.role} '${user.username}'`);
    });
  });

users
  .command("list")
  .description("list accounts")
  .action(async () => {
    await withDatabase(async () => {
      const { listUsers } = await import("../lib/auth/users");
      console.table((await listUsers()).map((u) => ({ username: u.username, role: u.role, disabled: u.disabled })));
    });
  });

users
  .command("set-password")
  .argument("<username>")
  .option("--password-stdin", "read the password from standard input")
  .action(async (username: string, opts: { passwordStdin?: boolean }) => {
    const password = await readPassword(Boolean(opts.passwordStdin));
    await withDatabase(async () => {
      const { findUserByUsername, setPassword } = await import("../lib/auth/users");
      const { cliActor } = await import("../lib/audit/log");
      const user = await findUserByUsername(username);
      if (!user) throw new Error(`no account '${username}'`);
      await setPassword(user.id, password, cliActor());
      console.log(`password of '${user.username}' changed; its sessions were signed out`);
    });
  });

for (const [command, description, change] of [
  ["set-role", "change an account's role", null],
  ["disable", "disable an account (its sessions and tokens stop working)", { disabled: true }],
  ["enable", "enable an account", { disabled: false }],
] as const) {
  const cmd = users.command(command).description(description).argument("<username>");
  if (command === "set-role") cmd.argument("<role>");
  cmd.action(async (username: string, role?: string) => {
    await withDatabase(async () => {
      const { findUserByUsername, updateUser } = await import("../lib/auth/users");
      const { isRole } = await import("../lib/auth/permissions");
      const { cliActor } = await import("../lib/audit/log");
      const user = await findUserByUsername(username);
      if (!user) throw new Error(`no account '${username}'`);
      if (command === "set-role" && !isRole(role)) throw new Error("role must be analyst, triager or admin");
      const updated = await updateUser(user.id, change ?? { role: role as "analyst" | "triager" | "admin" }, cliActor());
      console.log(`'${updated.username}': ${updated.role}${updated.disabled ? ", disabled" : ""}`);
    });
  });
}

program
  .command("migrate")
  .description("apply pending database migrations")
  .action(async () => {
    const applied = await withDatabaseUrl((url) => deployMigrations(url));
    console.log(applied.length ? `Applied: ${applied.join(", ")}` : "No pending migrations.");
  });

program.parseAsync().catch((e: unknown) => {
  console.error(`iiswatch: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
