// `iiswatch parse FILE…`: many log files read in one process, each as the upload pipeline reads it (readLogFile),
// without the database layer (nothing here imports lib/db, Prisma or pg: the command starts in a fraction of the
// time the database commands take).
//
//   stdout  each normalized event as one JSON line, with the file it came from ("file", and "member" for an archive
//           member), unless `events` is false
//   stderr  every rejected record and every reader notice, one line each, then one summary line per file and a total
//
// A file that cannot be read at all (missing, not a log, a decompression bomb…) is reported by its name and the
// others are read anyway; the caller sets a failing exit code when any did.
import { once } from "node:events";
import fs from "node:fs";
import type { InputFormat } from "../lib/ingest/event";
import { readLogFile } from "../lib/ingest/read-file";

export interface ParseOptions {
  format?: InputFormat;
  host?: string;
  channel?: string;
  /** Print the events (default true); false prints only rejections, notices and the summaries. */
  events?: boolean;
}

export interface FileSummary {
  file: string;
  /** Records read: events plus rejected records. */
  records: number;
  events: number;
  rejected: number;
  notices: number;
  formats: string[];
  /** Why the file could not be read (what was read before it failed is counted above). */
  error?: string;
}

/** Lines written in large pieces, waiting when the stream (a pipe, say) asks to. */
class LineWriter {
  private lines: string[] = [];
  private size = 0;

  constructor(private readonly stream: NodeJS.WritableStream) {}

  async line(text: string): Promise<void> {
    this.lines.push(text, "\n");
    this.size += text.length + 1;
    if (this.size >= 1 << 16) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.size === 0) return;
    const ok = this.stream.write(this.lines.join(""));
    this.lines = [];
    this.size = 0;
    if (!ok) await once(this.stream, "drain");
  }
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function summaryLine(s: FileSummary): string {
  const counts = `${plural(s.records, "record")} read, ${plural(s.events, "event")}, ${s.rejected} rejected, ${plural(s.notices, "notice")}`;
  const format = s.formats.length ? ` (${s.formats.join("+")})` : "";
  return s.error ? `${s.file}: failed: ${s.error}${s.records ? ` (after ${counts})` : ""}` : `${s.file}: ${counts}${format}`;
}

/** Why a path cannot be read as a file, or null when it can. */
function unreadable(file: string): string | null {
  try {
    const st = fs.statSync(file);
    if (st.isDirectory()) return "is a directory, not a file";
    fs.accessSync(file, fs.constants.R_OK);
    return null;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return "no such file";
    if (code === "EACCES") return "permission denied";
    return (e as Error).message;
  }
}

/** Reads each file in turn, printing as described above; returns each file's summary. */
export async function parseFiles(
  files: string[],
  options: ParseOptions = {},
  io: { out: NodeJS.WritableStream; err: NodeJS.WritableStream } = { out: process.stdout, err: process.stderr },
): Promise<FileSummary[]> {
  const out = new LineWriter(io.out);
  const err = new LineWriter(io.err);
  // Standard output closed by its reader (`| head`): stop quietly, as command-line tools do.
  let closed = false;
  const onOutError = (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") closed = true;
  };
  io.out.on("error", onOutError);
  const printEvents = options.events !== false;
  const summaries: FileSummary[] = [];
  for (const file of files) {
    const summary: FileSummary = { file, records: 0, events: 0, rejected: 0, notices: 0, formats: [] };
    summaries.push(summary);
    const problem = unreadable(file);
    if (problem) {
      summary.error = problem;
      await err.line(summaryLine(summary));
      continue;
    }
    const formats = new Set<string>();
    const pendingNotices: string[] = [];
    try {
      const records = readLogFile(file, {
        format: options.format,
        host: options.host,
        channel: options.channel,
        onNotice: (n) => {
          summary.notices++;
          pendingNotices.push(`notice: ${file}: ${n.location}: ${n.message}`);
        },
      });
      for await (const { member, isArchiveMember, format, record } of records) {
        if (closed) break;
        summary.records++;
        formats.add(format);
        for (const line of pendingNotices.splice(0)) await err.line(line);
        if (record.ok) {
          summary.events++;
          if (printEvents) {
            const { raw, ...event } = record.event;
            await out.line(JSON.stringify({ file, ...(isArchiveMember ? { member } : {}), ...event, raw }));
          }
        } else {
          summary.rejected++;
          const where = record.rejected.location ?? `record ${record.rejected.position}`;
          await err.line(`rejected: ${file}: ${isArchiveMember ? `${member}: ` : ""}${where}: ${record.rejected.reason}`);
        }
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EPIPE" || closed) {
        io.out.off("error", onOutError);
        return summaries.slice(0, -1);
      }
      summary.error = e instanceof Error ? e.message : String(e);
    }
    if (closed) {
      io.out.off("error", onOutError);
      return summaries.slice(0, -1);
    }
    summary.formats = [...formats];
    for (const line of pendingNotices.splice(0)) await err.line(line);
    await out.flush();
    await err.line(summaryLine(summary));
  }
  if (files.length > 1) {
    const failed = summaries.filter((s) => s.error).length;
    const sum = (k: "records" | "events" | "rejected" | "notices") => summaries.reduce((n, s) => n + s[k], 0);
    await err.line(
      `total: ${plural(files.length, "file")}${failed ? ` (${failed} failed)` : ""}, ${plural(sum("records"), "record")} read, ${plural(sum("events"), "event")}, ${sum("rejected")} rejected, ${plural(sum("notices"), "notice")}`,
    );
  }
  await out.flush();
  await err.flush();
  io.out.off("error", onOutError);
  return summaries;
}
