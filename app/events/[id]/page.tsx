// One stored event: where it came from (upload, position in the file), its System fields with the EventRecordID
// apart from the position, its event data by name, the rendered message and the original record, all as text.
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { Time } from "@/components/time/TimeZone";
import { SafeText } from "@/components/SafeText";
import { visibleBidi } from "@/lib/text/bidi";
import { requireUser } from "@/lib/auth/server";
import { getEvent, type EventDetail } from "@/lib/ingest/queries";
import { hostUrl, uploadUrl } from "@/lib/links/urls";
import { TableHead } from "@/components/TableHead";

export const metadata: Metadata = { title: "Event" };
export const dynamic = "force-dynamic";

export default async function EventPage({ params }: { params: Promise<{ id: string }> }) {
  await requireUser("data:read");
  const event = await getEvent((await params).id);
  if (!event) notFound();
  const data = Object.entries(event.data);
  return (
    <>
      <h1>
        Event {event.eventCode} on <SafeText className="wrap-anywhere" text={event.host} />
      </h1>
      <dl className="facts">
        <dt>Time</dt>
        <dd>
          <Time iso={event.time.toISOString()} millis /> <span className="muted mono">{event.timeCreated}</span>
        </dd>
        <dt>Host</dt>
        <dd>
          <Link href={hostUrl(event.hostId)}>
            <SafeText text={event.host} />
          </Link>
        </dd>
        {systemFields(event).map(([name, value]) => (
          <div key={name} style={{ display: "contents" }}>
            <dt>{name}</dt>
            <dd className="mono wrap-anywhere">{value !== null ? <SafeText text={value} /> : <span className="muted">—</span>}</dd>
          </div>
        ))}
        <dt>From</dt>
        <dd>
          record {event.position.toLocaleString("en")} of{" "}
          <Link href={uploadUrl(event.upload.id)}>
            <SafeText text={event.upload.filename} />
          </Link>{" "}
          ({event.format})
        </dd>
      </dl>
      <h2>Message</h2>
      {event.message ? <pre className="raw">{visibleBidi(event.message)}</pre> : <p className="muted">(no message)</p>}
      <h2>Event data ({data.length})</h2>
      <table className="data" aria-label="Event data">
        <TableHead columns={["Name", "Value"]} />
        <tbody>
          {data.map(([name, value]) => (
            <tr key={name}>
              <td className="mono wrap-anywhere"><SafeText text={name} /></td>
              <td className="mono wrap-anywhere">{value === null ? <span className="muted">(empty)</span> : <SafeText text={typeof value === "string" ? value : JSON.stringify(value)} />}</td>
            </tr>
          ))}
          {data.length === 0 && (
            <tr>
              <td colSpan={2} className="muted">
                No event data.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <h2>Original record</h2>
      <pre className="raw">{visibleBidi(event.raw)}</pre>
    </>
  );
}

/** The System fields an analyst compares with Event Viewer's Details tab, in its order. */
function systemFields(e: EventDetail): [string, string | null][] {
  const text = (v: number | string | null) => (v === null ? null : String(v));
  return [
    ["Channel", e.channel],
    ["Provider", e.provider],
    ["Event ID", String(e.eventCode)],
    ["EventRecordID", e.recordId],
    ["Version", text(e.version)],
    ["Level", text(e.level)],
    ["Task", text(e.task)],
    ["Opcode", e.opcodeName ?? text(e.opcode)],
    ["Keywords", e.keywords],
    ["User SID", e.userSid],
    ["Process / thread", e.processId === null ? null : `${e.processId} / ${e.threadId ?? "—"}`],
  ];
}
