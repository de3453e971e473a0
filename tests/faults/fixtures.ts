// Large event logs for the fault tests and benchmarks: Windows event XML one <Event> per line (as a Splunk
// forwarder or `wevtutil qe /f:xml` writes it), `count` events from `firstRecord` on, spread over `hosts` servers
// and the hours before `end`. Every 50th event is a module failing to load (2282) and every 200th a module added
// to globalModules (29), so the detections have work; the rest are routine 2282-less Application noise.
import fs from "node:fs";
import { once } from "node:events";

const NS = "http://schemas.microsoft.com/win/2004/08/events/event";

function system(provider: string, eventId: string, level: number, time: string, record: number, channel: string, host: string): string {
  return `<System><Provider Name='${provider}'/><EventID${eventId}<Version>0</Version><Level>${level}</Level><Task>0</Task><Opcode>0</Opcode><Keywords>0x80000000000000</Keywords><TimeCreated SystemTime='${time}'/><EventRecordID>${record}</EventRecordID><Correlation/><Execution ProcessID='4242' ThreadID='77'/><Channel>${channel}</Channel><Computer>${host}</Computer><Security/></System>`;
}

export function eventLine(record: number, host: string, time: string): string {
  if (record % 200 === 0) {
    return `<Event xmlns='${NS}'>${system("Microsoft-Windows-IIS-Configuration", ">29</EventID>", 4, time, record, "Microsoft-IIS-Configuration/Operational", host)}<EventData><Data Name='PhysicalPath'></Data><Data Name='ConfigPath'>MACHINE/WEBROOT/APPHOST</Data><Data Name='EffectiveLocationPath'></Data><Data Name='Configuration'>/system.webServer/globalModules/add[@name="Mod${record}"]</Data><Data Name='EditOperationType'>1</Data><Data Name='OldValue'></Data><Data Name='NewValue'></Data></EventData></Event>`;
  }
  if (record % 50 === 0) {
    return `<Event xmlns='${NS}'>${system("Microsoft-Windows-IIS-W3SVC-WP", " Qualifiers='49152'>2282</EventID>", 2, time, record, "Application", host)}<EventData><Data Name='ModuleDll'>C:\\ProgramData\\m${record % 7}.dll</Data><Data Name='ProcessorArchitecture'>AMD64</Data><Binary>C1000000</Binary></EventData></Event>`;
  }
  return `<Event xmlns='${NS}'>${system("Application Error", " Qualifiers='0'>1000</EventID>", 2, time, record, "Application", host)}<EventData><Data>w3wp.exe</Data><Data>10.0.17763.1</Data><Data>record ${record} with some text to make it look like a real event of ordinary size</Data></EventData></Event>`;
}

export interface FleetLogOptions {
  count: number;
  firstRecord?: number;
  hosts?: number;
  /** The latest event time (default: 3 hours ago, so the detections' windows are due). */
  end?: Date;
  /** The time the events span, back from `end` (default 24 h). */
  spanMs?: number;
  /**
   * The records the span is laid out over (default: this file's own). Files cut from one log (overlapping exports)
   * pass the whole log's, so that a record has the same time, and so the same identity, in each of them.
   */
  timeline?: { firstRecord: number; count: number };
}

/** Writes the log; returns the number of events written. */
export async function writeFleetLog(file: string, options: FleetLogOptions): Promise<number> {
  const first = options.firstRecord ?? 1;
  const hosts = options.hosts ?? 20;
  const end = (options.end ?? new Date(Date.now() - 3 * 3_600_000)).getTime();
  const span = options.spanMs ?? 24 * 3_600_000;
  const timeline = options.timeline ?? { firstRecord: first, count: options.count };
  const out = fs.createWriteStream(file);
  let buffer = "";
  for (let i = 0; i < options.count; i++) {
    const record = first + i;
    const time = new Date(end - span + Math.floor((span * (record - timeline.firstRecord)) / timeline.count)).toISOString();
    buffer += eventLine(record, `WEB${String(record % hosts).padStart(2, "0")}.corp.example`, time) + "\n";
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await once(out, "drain");
      buffer = "";
    }
  }
  out.end(buffer);
  await once(out, "finish");
  return options.count;
}
