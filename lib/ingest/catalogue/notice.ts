// "The upload report says so": events whose data stayed positional (or could not be recovered from their message)
// are counted per reason while a file is read, and reported once at its end as one aggregated reader notice.
import type { ParsedRecord } from "../event";
import { recordsOf, type FormatReader, type ReaderNotice } from "../parser";

/** How many distinct reasons one notice lists (the rest are counted together). */
const MAX_REASONS = 10;

export class DataNoticeTally {
  private readonly counts = new Map<string, number>();
  private total = 0;

  add(record: ParsedRecord): void {
    if (!record.ok || !record.event.dataNote) return;
    this.total++;
    this.counts.set(record.event.dataNote, (this.counts.get(record.event.dataNote) ?? 0) + 1);
  }

  /** The one notice for the file, or null when every event's data was named. */
  notice(): ReaderNotice | null {
    if (this.total === 0) return null;
    const reasons = [...this.counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    const listed = reasons.slice(0, MAX_REASONS).map(([why, n]) => `${n} × ${why}`);
    const others = reasons.slice(MAX_REASONS).reduce((sum, [, n]) => sum + n, 0);
    if (others) listed.push(`${others} × other reasons`);
    const records = `${this.total} record${this.total === 1 ? "" : "s"}`;
    return {
      location: "event data",
      summary: true,
      message: `${records} kept event data unnamed (by position) or without the data their message carries, as the event catalogue cannot name it without guessing: ${listed.join("; ")}`,
    };
  }
}

/**
 * Events that name no channel (`<Channel/>`, as in logs converted from ETW traces): stored with an empty channel,
 * counted, and reported once per file with the first of them.
 */
export class EmptyChannelTally {
  private count = 0;
  private first: { position: number; recordId: number | null } | null = null;

  add(record: ParsedRecord): void {
    if (!record.ok || record.event.channel !== "") return;
    this.count++;
    this.first ??= { position: record.event.position, recordId: record.event.recordId };
  }

  notice(): ReaderNotice | null {
    if (!this.first) return null;
    const n = this.count;
    const first = this.first.recordId === null ? `record ${this.first.position} of the file` : `EventRecordID ${this.first.recordId} (record ${this.first.position} of the file)`;
    return {
      location: `record ${this.first.position}`,
      summary: true,
      message:
        `${n} record${n === 1 ? " has" : "s have"} an empty channel (<Channel/>, as in logs converted from ETW traces), first ${first}: ` +
        `stored with an empty channel, so detections that select a channel do not see ${n === 1 ? "it" : "them"}`,
    };
  }
}

/**
 * The reader, plus aggregated notices at the end of each file: event data left unnamed, events without a channel.
 * Every format goes through it (readers.ts), so every format reports them alike.
 */
export function withDataNotices(reader: FormatReader): FormatReader {
  async function* readBatches(...[input, options]: Parameters<FormatReader["readBatches"]>): ReturnType<FormatReader["readBatches"]> {
    const data = new DataNoticeTally();
    const channels = new EmptyChannelTally();
    try {
      for await (const batch of reader.readBatches(input, options)) {
        for (const record of batch) {
          data.add(record);
          channels.add(record);
        }
        yield batch;
      }
    } finally {
      for (const tally of [data, channels]) {
        const notice = tally.notice();
        if (notice) options.onNotice?.(notice);
      }
    }
  }
  return {
    format: reader.format,
    sniff: (head) => reader.sniff(head),
    read: (input, options) => recordsOf(readBatches(input, options)),
    readBatches,
  };
}
