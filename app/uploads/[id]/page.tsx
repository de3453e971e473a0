import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { TimeRange } from "@/components/time/TimeZone";
import { SafeText } from "@/components/SafeText";
import { getUploadReport } from "@/lib/ingest/queries";
import { detectionNames } from "@/lib/views/detection-names";
import { uploadFindings } from "@/lib/views/upload-findings";
import { can, requireUser } from "@/lib/auth/server";
import { DeleteUploadForm } from "./DeleteUploadForm";
import { eventsUrl, hostUrl, resultsUrl } from "@/lib/links/urls";
import { TableHead } from "@/components/TableHead";

export const metadata: Metadata = { title: "Upload report" };
export const dynamic = "force-dynamic";

export default async function UploadReportPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requireUser("data:read");
  const report = await getUploadReport((await params).id);
  if (!report) notFound();
  return (
    <>
      <h1 className="wrap-anywhere">Upload: <SafeText text={report.filename} /></h1>
      <dl className="facts">
        <dt>Status</dt>
        <dd className={`status-${report.status}`}>{report.status}</dd>
        <dt>Format</dt>
        <dd>{report.format ?? "—"}</dd>
        <dt>Size</dt>
        <dd>{Number(report.sizeBytes).toLocaleString()} bytes</dd>
        <dt>Records read</dt>
        <dd>{report.recordsRead.toLocaleString()}</dd>
        <dt>Stored</dt>
        <dd>{report.stored.toLocaleString()}</dd>
        <dt>Duplicates (already stored)</dt>
        <dd>{report.duplicates.toLocaleString()}</dd>
        <dt>Rejected</dt>
        <dd>{report.rejected.toLocaleString()}</dd>
        {report.sha256 && (
          <>
            <dt>SHA-256</dt>
            <dd className="mono wrap-anywhere">{report.sha256}</dd>
          </>
        )}
        {report.attempts > 1 && (
          <>
            <dt>Attempts</dt>
            <dd>{report.attempts}</dd>
          </>
        )}
        {report.error && (
          <>
            <dt>Error</dt>
            <dd className="error" role="alert">
              {report.error}
            </dd>
          </>
        )}
      </dl>
      {report.status === "done" && <Findings uploadId={report.id} stored={report.stored} duplicates={report.duplicates} />}
      <p>
        <Link href={eventsUrl({ upload: report.id })}>Events from this upload</Link>
      </p>
      {notices(report.notices).length > 0 && (
        <>
          <h2>Problems worked around (no record lost)</h2>
          <table className="data" aria-label="Problems worked around">
            <TableHead columns={["Where", "What"]} />
            <tbody>
              {notices(report.notices).map((n, i) => (
                <tr key={i}>
                  <td className="mono"><SafeText text={n.location} /></td>
                  <td className="wrap-anywhere"><SafeText text={n.message} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {report.rejections.length > 0 && (
        <>
          <h2>Rejected records{report.rejected > report.rejections.length ? ` (first ${report.rejections.length} of ${report.rejected})` : ""}</h2>
          <table className="data" aria-label="Rejected records">
            <TableHead columns={["Record", "Where", "Why", "Excerpt"]} />
            <tbody>
              {report.rejections.map((r) => (
                <tr key={String(r.id)}>
                  <td>{r.position}</td>
                  <td className="wrap-anywhere"><SafeText text={r.location} /></td>
                  <td className="wrap-anywhere"><SafeText text={r.reason} /></td>
                  <td className="mono wrap-anywhere"><SafeText text={r.excerpt} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {can(user, "upload:delete") && (report.status === "done" || report.status === "failed") && (
        <DeleteUploadForm id={report.id} filename={report.filename} stored={report.stored} />
      )}
    </>
  );
}

function notices(value: unknown): { location: string; message: string }[] {
  return Array.isArray(value) ? (value as { location: string; message: string }[]) : [];
}

/** What the upload found: hosts, event time span, and the results, notables and risk its events are part of. */
async function Findings({ uploadId, stored, duplicates }: { uploadId: string; stored: number; duplicates: number }) {
  const f = await uploadFindings(uploadId);
  const names = detectionNames();
  return (
    <section className="panel" aria-label="What this upload found">
      <h2>What it found</h2>
      {stored === 0 && duplicates > 0 && (
        <p className="callout">Every event of this file was already stored by earlier uploads: it added nothing new. Below is what its events are part of.</p>
      )}
      <dl className="facts">
        <dt>Hosts</dt>
        <dd data-testid="found-hosts">
          {f.hostCount.toLocaleString("en")}
          {f.hosts.length > 0 && ": "}
          {f.hosts.map((h, i) => (
            <span key={h.id}>
              {i > 0 && ", "}
              <Link href={hostUrl(h.id, { range: "custom", from: f.firstEvent!, to: new Date(f.lastEvent!.getTime() + 1000) })}>
                <SafeText text={h.name} />
              </Link>{" "}
              <span className="muted">({h.events.toLocaleString("en")})</span>
            </span>
          ))}
          {f.hostCount > f.hosts.length && <span className="muted"> and {(f.hostCount - f.hosts.length).toLocaleString("en")} more</span>}
        </dd>
        <dt>Events from</dt>
        <dd>
          {f.firstEvent ? (
            <>
              <TimeRange from={f.firstEvent.toISOString()} to={f.lastEvent!.toISOString()} />
            </>
          ) : (
            "—"
          )}
        </dd>
        <dt>Detection results</dt>
        <dd data-testid="found-results">
          <Link href={resultsUrl({ upload: uploadId })}>{f.results.toLocaleString("en")}</Link>
          {Object.entries(f.resultsByDetection).map(([id, n]) => (
            <span key={id} className="muted">
              {" "}
              · {n.toLocaleString("en")} × {names[id] ?? id}
            </span>
          ))}
        </dd>
        <dt>Notables</dt>
        <dd data-testid="found-notables">
          {f.notables.toLocaleString("en")} ({f.openNotables.toLocaleString("en")} open)
        </dd>
        <dt>Risk</dt>
        <dd data-testid="found-risk">{f.risk.toLocaleString("en")}</dd>
      </dl>
    </section>
  );
}
