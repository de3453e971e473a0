import type { Metadata } from "next";
import { TableHead } from "@/components/TableHead";
import { Time, TimeRange, ZoneHeading } from "@/components/time/TimeZone";
import { requireUser } from "@/lib/auth/server";
import { listEventPartitions, partitionSpan } from "@/lib/db/partitions";
import { retentionCutoff, retentionDays } from "@/lib/ingest/retention-policy";
import { listExpirations } from "@/lib/pipeline/retention";

export const metadata: Metadata = { title: "Storage" };
export const dynamic = "force-dynamic";

const DAY_MS = 86_400_000;
const megabytes = (bytes: number) => `${(bytes / 1e6).toLocaleString("en", { maximumFractionDigits: 1 })} MB`;

export default async function StoragePage() {
  await requireUser("settings:manage");
  const [partitions, expirations] = await Promise.all([listEventPartitions(), listExpirations()]);
  const days = retentionDays();
  const cutoff = retentionCutoff();
  return (
    <>
      <h1>Storage</h1>
      <dl className="facts">
        <dt>Retention</dt>
        <dd>
          {days === null ? (
            <>everything is kept (set <code>IISWATCH_RETENTION_DAYS</code> to let old events go)</>
          ) : (
            <>
              {days} days (<code>IISWATCH_RETENTION_DAYS</code>): events dated before <Time iso={cutoff!.toISOString()} /> expire, a whole partition at a
              time, at the hourly run. Results, risk events, notables and the audit trail stay.
            </>
          )}
        </dd>
        <dt>Partitions</dt>
        <dd>
          {partitions.length} of events, by {partitionSpan()} of event time (<code>IISWATCH_PARTITION_SPAN</code>), made as events arrive
        </dd>
      </dl>
      <h2>Partitions of events</h2>
      <table className="data" aria-label="Partitions of events">
        <TableHead columns={[<ZoneHeading key="t">Event time</ZoneHeading>, "Events (estimate)", "Size", <ZoneHeading key="x">Expires</ZoneHeading>]} />
        <tbody>
          {partitions.map((p) => (
            <tr key={p.name}>
              <td>
                <TimeRange from={p.rangeStart.toISOString()} to={p.rangeEnd.toISOString()} />
              </td>
              <td className="num">{p.rowsEstimate < 0 ? "—" : p.rowsEstimate.toLocaleString("en")}</td>
              <td className="num">{megabytes(p.bytes)}</td>
              <td>{days === null ? <span className="muted">never</span> : <Time iso={new Date(p.rangeEnd.getTime() + days * DAY_MS).toISOString()} zoneInHeading />}</td>
            </tr>
          ))}
          {partitions.length === 0 && (
            <tr>
              <td colSpan={4} className="muted">
                No events yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <h2>Expired</h2>
      {expirations.length === 0 ? (
        <p className="muted">No events have expired.</p>
      ) : (
        <table className="data" aria-label="Expired events">
          <TableHead columns={[<ZoneHeading key="t">Event time</ZoneHeading>, "Events", <ZoneHeading key="d">Dropped</ZoneHeading>, "Retention"]} />
          <tbody>
            {expirations.map((x) => (
              <tr key={x.rangeStart.toISOString() + x.droppedAt.toISOString()}>
                <td>
                  <TimeRange from={x.rangeStart.toISOString()} to={x.rangeEnd.toISOString()} />
                </td>
                <td className="num">{x.events.toLocaleString("en")}</td>
                <td>
                  <Time iso={x.droppedAt.toISOString()} zoneInHeading />
                </td>
                <td className="num">{x.retentionDays} days</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
