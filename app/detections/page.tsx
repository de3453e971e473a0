import type { Metadata } from "next";
import Link from "next/link";
import { Time, ZoneHeading } from "@/components/time/TimeZone";
import { requireUser } from "@/lib/auth/server";
import { DETECTION_SPECS, detectionActivity, detectionCoverage, listDetections, sourceLabel } from "@/lib/detections";
import { detectionUrl, resultsUrl } from "@/lib/links/urls";
import { TableHead } from "@/components/TableHead";

export const metadata: Metadata = { title: "Detections" };
export const dynamic = "force-dynamic";

export default async function DetectionsPage() {
  await requireUser("data:read");
  const [detections, activity, coverage] = await Promise.all([listDetections(), detectionActivity(), detectionCoverage(DETECTION_SPECS)]);
  return (
    <>
      <h1>Detections</h1>
      <table className="data" aria-label="Detections catalog">
        <TableHead
          columns={["Name", "Data source", "Coverage", "Type", "State", "Risk score", "Notable", "ATT&CK", "Results", <ZoneHeading key="l">Last run</ZoneHeading>]}
        />
        <tbody>
          {detections.map((d) => {
            const a = activity.get(d.spec.id);
            return (
              <tr key={d.spec.id}>
                <td>
                  <Link href={detectionUrl(d.spec.id)}>{d.spec.name}</Link>
                  <div className="muted" title={d.spec.content.detectionFile}>
                    {sourceLabel(d.spec)} · {d.spec.tags.analyticStory.join(", ")}
                  </div>
                </td>
                <td>{d.spec.dataSource.join(", ")}</td>
                <td>
                  <CoverageCell fed={coverage.hostsFed.get(d.spec.id)} iisHosts={coverage.iisHosts} />
                </td>
                <td>{d.spec.type}</td>
                <td className={d.enabled ? "status-done" : "status-failed"}>{d.enabled ? "enabled" : "disabled"}</td>
                <td>
                  {d.riskScore}
                  {d.riskScoreOverride !== null && <span className="muted"> ({{ ESCU: "ESCU", Sigma: "Sigma", local: "default" }[d.spec.content.origin]} {d.spec.rba.riskObjects[0].score})</span>}
                </td>
                <td>{d.severity ? <span className={`badge ${d.severity}`}>{d.severity}</span> : <span className="muted">risk only</span>}</td>
                <td>{d.spec.tags.mitreAttackId.join(", ")}</td>
                <td>
                  <Link href={resultsUrl({ detection: d.spec.id })}>{a?.results ?? 0}</Link>
                </td>
                <td>{a?.lastRunTime ? <Time iso={a.lastRunTime.toISOString()} zoneInHeading /> : <span className="muted">never</span>}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </>
  );
}

/** How many IIS hosts send the events the detection reads; none is a warning: it cannot find anything. */
function CoverageCell({ fed, iisHosts }: { fed: number | undefined; iisHosts: number }) {
  if (fed === undefined) return <span className="muted">not counted</span>;
  if (iisHosts === 0 && fed === 0) return <span className="muted">no IIS host yet</span>;
  const text = `${fed} of ${iisHosts} IIS host${iisHosts === 1 ? "" : "s"}`;
  return fed === 0 ? <span className="status-failed" title="No host's logs hold the events this detection reads">{text}</span> : <span>{text}</span>;
}
