import Link from "next/link";
import { overviewCounts } from "@/lib/ingest/queries";
import { requireUser } from "@/lib/auth/server";

export const dynamic = "force-dynamic";

export default async function OverviewPage() {
  await requireUser("data:read");
  const counts = await overviewCounts();
  return (
    <>
      <h1>Overview</h1>
      <div className="cards">
        <div className="card">
          <div className="label">Events</div>
          <div className="value" data-testid="count-events">{counts.events.toLocaleString()}</div>
        </div>
        <div className="card">
          <div className="label">Hosts</div>
          <div className="value" data-testid="count-hosts">{counts.hosts.toLocaleString()}</div>
        </div>
        <div className="card">
          <div className="label">Uploads</div>
          <div className="value">{counts.uploads.toLocaleString()}</div>
        </div>
      </div>
      {counts.events === 0 && (
        <p>
          No events yet. <Link href="/uploads">Upload Windows event logs</Link> exported from your IIS servers (the
          Microsoft-IIS-Configuration/Operational and Application logs).
        </p>
      )}
    </>
  );
}
