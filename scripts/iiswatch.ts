// iiswatch — the command line of IIS Module Watch.
//   iiswatch parse FILE… [--format F]    normalized events as JSON lines (rejections, notices, per-file summaries on stderr)
//   iiswatch ingest FILE… [--format F]   the upload pipeline: files queued as uploads and worked by a worker
//   iiswatch worker                      a worker process (uploads, detections, the hourly clock)
//   iiswatch uploads list | delete ID    uploads, and deleting one with what only it brought
//   iiswatch retention [--apply]         the partitions of events, the retention, and dropping what expired
//   iiswatch detect --from T --to T      ES "run search": a detection's rows over any time range (reports nothing)
//   iiswatch detect --replay             replay stored history as the hourly schedule would have run it
//   iiswatch demo                        load the demo fleet (and run the detections over it)
//   iiswatch users create NAME [--admin | --role R] [--password-stdin]   an account (the first admin, say)
//   iiswatch users list | set-password NAME | set-role NAME ROLE | disable NAME | enable NAME
//   iiswatch migrate                     apply pending database migrations
// Database commands use DATABASE_URL, or the embedded database (.data/, or the running dashboard's) when unset.
// Every command imports what it needs when it runs: `parse` never loads the database layer (lib/db, Prisma, pg).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Command, InvalidArgumentError, Option } from "commander";
import { INPUT_FORMATS, type InputFormat } from "../lib/ingest/event";

const program = new Command("iiswatch").description("IIS Module Watch: catch malicious IIS modules in Windows event logs");
const recordDefaultOptions = (cmd: Command) =>
  cmd
    .option("--host <name>", "computer name for records that do not carry one (Event Viewer CSV)")
    .option("--channel <log>", "log name for records that do not carry one (Event Viewer CSV)");
const formatOption = () => new Option("-f, --format <format>", "input format (default: detected from the content)").choices(INPUT_FORMATS as unknown as string[]);

recordDefaultOptions(program
  .command("parse"))
  .description(
    "print log files' normalized events as JSON lines, read in one process without the database (rejected records, notices and a summary per file go to stderr)",
  )
  .argument("<files...>")
  .addOption(formatOption())
  .option("--no-events", "print only the rejected records, notices and summaries, not the events")
  .action(async (files: string[], opts: { format?: InputFormat; host?: string; channel?: string; events: boolean }) => {
    const { parseFiles } = await import("./iiswatch-parse");
    const summaries = await parseFiles(files, opts);
    if (summaries.some((s) => s.error)) process.exitCode = 1;
  });

recordDefaultOptions(program
  .command("ingest"))
  .description("ingest log files into the database (same pipeline as a browser upload: received, queued, worked by a worker)")
  .argument("<files...>")
  .addOption(formatOption())
  .option("--no-work", "only queue the files for the dashboard's workers, do not work them in this process")
  .action(async (files: string[], opts: { format?: InputFormat; host?: string; channel?: string; work: boolean }) => {
    for (const file of files) if (!fs.existsSync(file)) throw new Error(`${file}: no such file`);
    await withDatabase(async () => {
      const { receiveUpload, waitForUploads } = await import("../lib/ingest/uploads");
      const { getUploadReport } = await import("../lib/ingest/queries");
      const uploads: { file: string; id: string }[] = [];
      let failures = 0;
      for (const file of files) {
        try {
          const id = await receiveUpload({
            filename: path.basename(file),
            body: fs.createReadStream(file),
            format: opts.format,
            defaults: { host: opts.host, channel: opts.channel },
            expectedBytes: fs.statSync(file).size,
          });
          uploads.push({ file, id });
        } catch (e) {
          failures++;
          console.error(`${file}: failed: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
      // The files are queued: workers anywhere (the dashboard's, or this process's own) take them. A server
      // restart meanwhile touches none of it: whoever works an upload holds a lease on it.
      const worker = opts.work ? await startQuietWorker() : null;
      try {
        await waitForUploads(
          uploads.map((u) => u.id),
          { onPoll: progressReporter(uploads) },
        );
      } finally {
        await worker?.stop();
      }
      for (const { file, id } of uploads) {
        const u = (await getUploadReport(id, 0))!;
        if (u.status === "done") {
          console.log(`${file}: ${u.recordsRead} records read, ${u.stored} stored, ${u.duplicates} duplicate, ${u.rejected} rejected (upload ${id})`);
          const { pgPool } = await import("../lib/db/pg");
          const { rows } = await pgPool().query<{ runs: string; results: string }>(
            `SELECT count(*) AS runs, coalesce(sum(result_count), 0) AS results FROM detection_runs WHERE trigger = $1`,
            [`upload:${id}`],
          );
          console.log(`  detections: ${rows[0].runs} run(s), ${rows[0].results} new result(s)`);
        } else {
          failures++;
          console.error(`${file}: failed: ${u.error ?? u.status} (upload ${id})`);
        }
      }
      if (failures) process.exitCode = 1;
    });
  });

/** A worker in this process that logs only what matters on a terminal. */
async function startQuietWorker() {
  const { startWorker } = await import("../lib/pipeline/worker");
  return startWorker({ scheduler: false, log: (line) => process.env.IISWATCH_VERBOSE && console.error(line) });
}

/** Prints each upload's status as it changes (stderr). */
function progressReporter(uploads: { file: string; id: string }[]): () => void {
  const last = new Map<string, string>();
  let polls = 0;
  return () => {
    if (polls++ % 8 !== 0) return;
    void (async () => {
      const { pgPool } = await import("../lib/db/pg");
      const { rows } = await pgPool().query<{ id: string; status: string; records_read: number; rejected: number }>(
        `SELECT id, status::text, records_read, rejected FROM uploads WHERE id = ANY($1::uuid[])`,
        [uploads.map((u) => u.id)],
      );
      for (const r of rows) {
        const line = `${r.status}${r.status === "processing" ? ` (${r.records_read} records read)` : ""}`;
        if (last.get(r.id) === line) continue;
        last.set(r.id, line);
        if (process.stderr.isTTY || process.env.IISWATCH_VERBOSE) console.error(`${uploads.find((u) => u.id === r.id)?.file}: ${line}`);
      }
    })().catch(() => {});
  };
}

const uploadsCommand = program.command("uploads").description("uploads: list them, delete one");

uploadsCommand
  .command("list")
  .description("the most recent uploads and their status")
  .action(async () => {
    await withDatabase(async () => {
      const { listUploads } = await import("../lib/ingest/queries");
      console.table(
        (await listUploads(50)).map((u) => ({ id: u.id, file: u.filename, status: u.status, read: u.recordsRead, stored: u.stored, duplicate: u.duplicates, rejected: u.rejected })),
      );
    });
  });

uploadsCommand
  .command("delete")
  .description("delete an upload: the events only it holds and the results, risk events and notables derived only from them (audited)")
  .argument("<id>")
  .action(async (id: string) => {
    await withDatabase(async () => {
      const { deleteUpload } = await import("../lib/pipeline/delete-upload");
      const { cliActor } = await import("../lib/audit/log");
      if (!/^[0-9a-f-]{36}$/i.test(id)) throw new Error(`'${id}' is not an upload id (see iiswatch uploads list)`);
      const deleted = await deleteUpload(id, cliActor());
      if (!deleted) throw new Error(`no upload ${id}`);
      console.log(
        `deleted ${deleted.filename}: ${deleted.events} events, ${deleted.results} results, ${deleted.riskEvents} risk events, ${deleted.notables} notables; ${deleted.eventsKept} events kept (another upload holds them)`,
      );
    });
  });

program
  .command("retention")
  .description("the partitions of events and the retention (IISWATCH_RETENTION_DAYS); --apply drops what has expired now (audited)")
  .option("--apply", "drop the partitions whose events are all past the retention now, rather than at the next hourly run")
  .action(async (options: { apply?: boolean }) => {
    await withDatabase(async () => {
      const { listEventPartitions } = await import("../lib/db/partitions");
      const { retentionCutoff, retentionDays } = await import("../lib/ingest/retention-policy");
      const { applyRetention, listExpirations } = await import("../lib/pipeline/retention");
      const { cliActor } = await import("../lib/audit/log");
      const days = retentionDays();
      console.log(days === null ? "retention: everything is kept (IISWATCH_RETENTION_DAYS unset)" : `retention: ${days} days: events before ${retentionCutoff()!.toISOString()} expire`);
      if (options.apply) {
        const outcome = await applyRetention({ actor: cliActor() });
        for (const d of outcome.dropped) {
          console.log(`dropped ${d.rangeStart.toISOString()} to ${d.rangeEnd.toISOString()}: ${d.events} events of ${d.hosts} hosts in ${Math.round(d.dropMs)} ms`);
        }
        if (outcome.dropped.length === 0) console.log("nothing has expired");
      }
      console.table((await listEventPartitions()).map((p) => ({ from: p.rangeStart.toISOString(), to: p.rangeEnd.toISOString(), events: p.rowsEstimate, mb: Math.round(p.bytes / 1e5) / 10 })));
      const expired = await listExpirations(20);
      if (expired.length) console.table(expired.map((x) => ({ from: x.rangeStart.toISOString(), to: x.rangeEnd.toISOString(), events: x.events, dropped: x.droppedAt.toISOString(), days: x.retentionDays })));
    });
  });

program
  .command("worker")
  .description("run a worker: processes queued uploads and runs the detections (several may run, here or on other machines)")
  .option("--no-scheduler", "do not keep the hourly detection clock in this worker")
  .action(async (opts: { scheduler: boolean }) => {
    await withDatabase(async () => {
      const { startWorker } = await import("../lib/pipeline/worker");
      // Below the web server in the CPU's eyes: parsing must never slow the pages down.
      const nice = Number(process.env.IISWATCH_WORKER_NICE ?? 10);
      if (nice) {
        try {
          os.setPriority(nice);
        } catch {
          // not permitted here: run at normal priority
        }
      }
      const worker = await startWorker({ scheduler: opts.scheduler });
      console.log(`worker ${worker.name}: working uploads and detections`);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once("SIGTERM", stop);
        process.once("SIGINT", stop);
        // Started by `npm start`: stop when it goes away, whatever happened to it.
        process.once("disconnect", stop);
      });
      console.log(`worker ${worker.name}: stopping (in-flight uploads go back to the queue)`);
      await worker.stop();
    });
  });

/** Runs `fn` against DATABASE_URL or the embedded database, migrated, and closes the pools afterwards. */
async function withDatabase<T>(fn: () => Promise<T>): Promise<T> {
  const { withDatabaseUrl } = await import("../lib/db/embedded");
  const { deployMigrations } = await import("../lib/db/migrate");
  return withDatabaseUrl(async (url) => {
    process.env.DATABASE_URL = url;
    await deployMigrations(url);
    const { disconnectDb } = await import("../lib/db/client");
    const { closePgPool } = await import("../lib/db/pg");
    const { stopJobBoss } = await import("../lib/jobs/boss");
    try {
      return await fn();
    } finally {
      await stopJobBoss();
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
      const { waitForUploads } = await import("../lib/ingest/uploads");
      const worker = await startQuietWorker();
      try {
        const { fleet, uploadId } = await loadDemoData();
        await waitForUploads([uploadId]);
        const { getUploadReport } = await import("../lib/ingest/queries");
        const upload = (await getUploadReport(uploadId, 0))!;
        if (upload.status !== "done") throw new Error(`the demo upload failed: ${upload.error ?? upload.status}`);
        console.log(`demo fleet: ${fleet.hosts.length} hosts, ${upload.stored} events stored (${upload.duplicates} already there)`);
        console.log(`planted: modules installed on ${fleet.compromised.map((c) => c.host).join(", ")}; DLLs failing on ${fleet.failing.map((f) => f.host).join(", ")}; no IIS configuration log on ${fleet.withoutIisConfigLog.join(", ")}`);
      } finally {
        await worker.stop();
      }
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
    const { withDatabaseUrl } = await import("../lib/db/embedded");
    const { deployMigrations } = await import("../lib/db/migrate");
    const applied = await withDatabaseUrl((url) => deployMigrations(url));
    console.log(applied.length ? `Applied: ${applied.join(", ")}` : "No pending migrations.");
  });

// Once a command is done, exit: idle connection pools (the migrator's among them) would otherwise keep the
// process alive for their idle timeout. Standard output is flushed first (it may be a pipe).
program.parseAsync().then(() => process.stdout.write("", () => process.exit(process.exitCode ?? 0)), (e: unknown) => {
  console.error(`iiswatch: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
