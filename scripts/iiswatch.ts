// iiswatch — the command line of IIS Module Watch.
//   iiswatch parse FILE [--format F]     normalized events as JSON lines (rejections on stderr)
//   iiswatch ingest FILE… [--format F]   the upload pipeline, server-side, with a progress bar
//   iiswatch migrate                     apply pending database migrations
// Database commands use DATABASE_URL, or the embedded database (.data/, or the running dashboard's) when unset.
import fs from "node:fs";
import path from "node:path";
import { Command, Option } from "commander";
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
    await withDatabaseUrl(async (url) => {
      process.env.DATABASE_URL = url;
      await deployMigrations(url);
      const { db, disconnectDb } = await import("../lib/db/client");
      const { closePgPool } = await import("../lib/db/pg");
      const { processUpload } = await import("../lib/ingest/pipeline");
      let failures = 0;
      try {
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
          } catch (e) {
            bar.stop();
            failures++;
            console.error(`${file}: failed: ${e instanceof Error ? e.message : String(e)}`);
          }
        }
      } finally {
        await disconnectDb();
        await closePgPool();
      }
      if (failures) process.exitCode = 1;
    });
  });

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
