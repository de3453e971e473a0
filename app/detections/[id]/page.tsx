import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { Time, ZoneHeading } from "@/components/time/TimeZone";
import { can, requireUser } from "@/lib/auth/server";
import { activeSuppressionMatches, detectionCoverage, filterMacroDefinition, filterMacroName, getDetection, listRuns, searchName, sourceLabel, specById } from "@/lib/detections";
import { mitreTactics } from "@/lib/detections/mitre";
import { lastDayInputs } from "@/lib/views/range";
import { visibleBidi } from "@/lib/text/bidi";
import { AdhocRunForm, SettingsForm } from "../DetectionForms";
import { resultsUrl } from "@/lib/links/urls";
import { TableHead } from "@/components/TableHead";

export const dynamic = "force-dynamic";

type Props = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: specById((await params).id)?.name ?? "Detection" };
}

export default async function DetectionPage({ params }: Props) {
  const user = await requireUser("data:read");
  const detection = await getDetection((await params).id);
  if (!detection) notFound();
  const { spec } = detection;
  const [runs, matches, coverage] = await Promise.all([listRuns({ detectionId: spec.id, limit: 50 }), activeSuppressionMatches(spec.id), detectionCoverage([spec])]);
  const fed = coverage.hostsFed.get(spec.id);
  const lastDay = lastDayInputs();
  return (
    <>
      <h1>{spec.name}</h1>
      <p className="muted">
        {sourceLabel(spec)} · {spec.type} · {spec.id} · search_name “{searchName(spec)}”
      </p>
      <p>{spec.description}</p>
      <dl className="facts">
        <dt>State</dt>
        <dd className={detection.enabled ? "status-done" : "status-failed"}>{detection.enabled ? "enabled" : "disabled"}</dd>
        <dt>Risk</dt>
        <dd>
          {detection.riskObjects.map((ro) => `${ro.score} on ${ro.field} (${ro.type})`).join(", ")} — “{spec.rba.message}”
        </dd>
        <dt>Notable</dt>
        <dd>{detection.severity ? `yes, severity ${detection.severity}` : "no (risk only)"}</dd>
        <dt>Schedule</dt>
        <dd className="mono">
          cron {spec.deployment.cron}, earliest {spec.deployment.earliest}, latest {spec.deployment.latest}
        </dd>
        <dt>ATT&amp;CK</dt>
        <dd>
          {spec.tags.mitreAttackId.join(", ")} ({mitreTactics(spec.tags.mitreAttackId).join(", ")})
        </dd>
        <dt>Analytic story</dt>
        <dd>{spec.tags.analyticStory.join(", ")}</dd>
        <dt>Data source</dt>
        <dd>
          {spec.dataSource.join(", ")}
          {fed !== undefined && (
            <span className={fed === 0 && coverage.iisHosts > 0 ? "status-failed" : "muted"}>
              {" "}
              — sent by {fed} of {coverage.iisHosts} IIS host{coverage.iisHosts === 1 ? "" : "s"}
            </span>
          )}
        </dd>
        {spec.sigma && (
          <>
            <dt>Sigma rule</dt>
            <dd>
              by {spec.author}, level {spec.sigma.level}, status {spec.sigma.status} —{" "}
              <a className="wrap-anywhere" href={spec.sigma.ruleUrl} target="_blank" rel="noopener noreferrer nofollow">
                {spec.sigma.ruleUrl}
              </a>
              , Detection Rule License 1.1
            </dd>
          </>
        )}
        <dt>Provenance</dt>
        <dd>
          {spec.provenance} <span className="mono">{spec.content.detectionFile}</span>, sidecar <span className="mono">{spec.content.sidecarFile}</span>, tested by{" "}
          <span className="mono">{spec.content.test}</span>
        </dd>
        <dt>How to implement</dt>
        <dd>{spec.howToImplement}</dd>
        <dt>Known false positives</dt>
        <dd>{spec.knownFalsePositives}</dd>
        <dt>References</dt>
        <dd>
          <ul className="plain">
            {spec.references.map((r) => (
              <li key={r} className="wrap-anywhere">
                {/^https?:\/\//.test(r) ? (
                  <a href={r} target="_blank" rel="noopener noreferrer nofollow">
                    {r}
                  </a>
                ) : (
                  r
                )}
              </li>
            ))}
          </ul>
        </dd>
      </dl>
      <h2>{spec.sigma ? "Sigma detection (logsource and detection, as published)" : "Search"}</h2>
      <pre className="raw" aria-label={spec.sigma ? "Sigma detection" : "ESCU search"}>
        {spec.search.trim()}
      </pre>
      <h2>
        Filter macro <span className="mono">{filterMacroName(spec.name)}</span>
      </h2>
      <p className="muted">The false-positive suppressions of this detection, as the SPL to paste into Splunk:</p>
      <pre className="raw" aria-label="Filter macro definition">
        {visibleBidi(filterMacroDefinition(matches))}
      </pre>
      <h2>Drilldowns</h2>
      <ul>
        {spec.drilldownSearches.map((d) => (
          <li key={d.name}>
            {d.name}: <span className="mono wrap-anywhere">{d.search}</span>
          </li>
        ))}
      </ul>
      {can(user, "settings:manage") && (
        <>
          <h2>Settings</h2>
          <SettingsForm id={spec.id} enabled={detection.enabled} riskScore={detection.riskScoreOverride} defaultScore={spec.rba.riskObjects[0].score} />
        </>
      )}
      <h2>Run search (ad-hoc)</h2>
      <AdhocRunForm id={spec.id} from={lastDay.from} to={lastDay.to} />
      <h2>Run history</h2>
      <table className="data" aria-label="Run history">
        <TableHead columns={[<ZoneHeading key="r">Run time</ZoneHeading>, "Kind", <ZoneHeading key="w">Window</ZoneHeading>, "Rows", "New results", "Suppressed", "Status"]} />
        <tbody>
          {runs.rows.map((r) => (
            <tr key={String(r.id)}>
              <td>
                <Time iso={r.runTime.toISOString()} zoneInHeading />
              </td>
              <td>
                {r.kind}
                {r.trigger ? <span className="muted"> ({r.trigger})</span> : null}
              </td>
              <td>
                <Time iso={r.windowStart.toISOString()} zoneInHeading /> – <Time iso={r.windowEnd.toISOString()} zoneInHeading />
              </td>
              <td>{r.rowCount}</td>
              <td>{r.resultCount > 0 ? <Link href={resultsUrl({ detection: spec.id, earliest: r.windowStart, latest: r.windowEnd })}>{r.resultCount}</Link> : 0}</td>
              <td>{r.suppressedCount}</td>
              <td className={`status-${r.status === "done" ? "done" : r.status === "failed" ? "failed" : "processing"}`}>{r.status}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {runs.total > runs.rows.length && <p className="muted">Latest {runs.rows.length} of {runs.total} runs.</p>}
    </>
  );
}
