import type { Metadata } from "next";
import Link from "next/link";
import { Time, ZoneHeading } from "@/components/time/TimeZone";
import { requireUser } from "@/lib/auth/server";
import { detectionActivity, listDetections } from "@/lib/detections";
import { detectionUrl, resultsUrl } from "@/lib/links/urls";
import { TableHead } from "@/components/TableHead";

export const metadata: Metadata = { title: "Detections" };
export const dynamic = "force-dynamic";

export default async function DetectionsPage() {
  await requireUser("data:read");
  const [detections, activity] = await Promise.all([listDetections(), detectionActivity()]);
  return (
    <>
      <h1>Detections</h1>
      <table className="data" aria-label="Detections catalog">
        <TableHead columns={["Name", "Type", "State", "Risk score", "Notable", "ATT&CK", "Results", <ZoneHeading key="l">Last run</ZoneHeading>]} />
        <tbody>
          {detections.map((d) => {
            const a = activity.get(d.spec.id);
            return (
              <tr key={d.spec.id}>
                <td>
                  <Link href={detectionUrl(d.spec.id)}>{d.spec.name}</Link>
                  <div className="muted">ESCU v{d.spec.version} · {d.spec.tags.analyticStory.join(", ")}</div>
                </td>
                <td>{d.spec.type}</td>
                <td className={d.enabled ? "status-done" : "status-failed"}>{d.enabled ? "enabled" : "disabled"}</td>
                <td>
                  {d.riskScore}
                  {d.riskScoreOverride !== null && <span className="muted"> (ESCU {d.spec.rba.riskObjects[0].score})</span>}
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
