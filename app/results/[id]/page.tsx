import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { Time, TimeRange, ZoneHeading } from "@/components/time/TimeZone";
import { SafeText } from "@/components/SafeText";
import { visibleBidi } from "@/lib/text/bidi";
import { can, requireUser } from "@/lib/auth/server";
import { parseBigintId } from "@/lib/db/ids";
import { contributingEvents, getResult, specById, splFieldOrder } from "@/lib/detections";
import { statusLabel } from "@/lib/triage/fields";
import { expirationCovering } from "@/lib/pipeline/retention";
import { hostUrl, newSuppressionUrl, resultsUrl, riskUrl } from "@/lib/links/urls";
import { TableHead } from "@/components/TableHead";
import { riskArithmetic } from "@/lib/detections/rba";
import { riskFactorLabel, type RiskFactor } from "@/lib/detections/risk-factors";

export const metadata: Metadata = { title: "Detection result" };
export const dynamic = "force-dynamic";

export default async function ResultPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requireUser("data:read");
  const { id } = await params;
  if (parseBigintId(id) === null) notFound();
  const result = await getResult(id);
  if (!result) notFound();
  const spec = specById(result.detectionId);
  const events = await contributingEvents(id, { limit: 1000 });
  // Fewer raw events than the result counted: retention dropped the rest (the result, its risk and notable stay).
  const expired = events.length < Math.min(result.count, 1000) ? await expirationCovering(result.firstTime) : null;
  const fields = splFieldOrder(result.detectionId, result.fields as Record<string, unknown>);
  const dest = result.dest ?? "";
  const window = { earliest: result.run.windowStart.toISOString(), latest: result.run.windowEnd.toISOString() };
  return (
    <>
      <h1>
        {spec?.name ?? result.detectionId} — <SafeText text={dest} />
      </h1>
      <dl className="facts">
        <dt>Run</dt>
        <dd>
          <Time iso={result.run.runTime.toISOString()} /> ({result.run.kind}), event time <TimeRange from={window.earliest} to={window.latest} />
        </dd>
        {Object.entries(fields).map(([k, v]) => (
          <div key={k} style={{ display: "contents" }}>
            <dt className="mono">{k}</dt>
            <dd className="mono wrap-anywhere"><SafeText text={String(v)} /></dd>
          </div>
        ))}
        <dt>Risk events</dt>
        <dd>
          {result.riskEvents.map((r) => (
            <div key={String(r.id)}>
              {r.riskScore} on <SafeText text={r.riskObject} /> ({r.riskObjectType}): <SafeText text={r.riskMessage} />
              {r.baseRiskScore !== null && (r.riskFactors as unknown as RiskFactor[]).length > 0 && (
                <div className="muted" data-testid="risk-arithmetic">
                  {riskArithmetic(r.baseRiskScore, r.riskFactors as unknown as RiskFactor[])}
                </div>
              )}
            </div>
          ))}
          {(result.riskFactors as unknown as RiskFactor[]).map((f) => (
            <div key={f.factor} className="wrap-anywhere">
              +{f.points} {riskFactorLabel(f.factor)}: <SafeText text={f.why} />
            </div>
          ))}
          {result.riskEvents.length === 0 && <span className="muted">none</span>}
        </dd>
        <dt>Notable</dt>
        <dd>{result.notable ? `${result.notable.title} — ${result.notable.severity}, ${statusLabel(result.notable.status)}` : <span className="muted">none (risk only)</span>}</dd>
      </dl>
      <nav className="tabs" aria-label="Drilldowns">
        <Link href={resultsUrl({ detection: result.detectionId, dest, earliest: result.run.windowStart, latest: result.run.windowEnd })}>View the detection results for &quot;<SafeText text={dest} />&quot;</Link>
        <Link href={riskUrl(dest.toLowerCase(), { at: result.run.runTime })}>
          View risk events for the last 7 days for &quot;<SafeText text={dest} />&quot;
        </Link>
        <Link href={hostUrl(dest.toLowerCase())}>Host</Link>
        {can(user, "suppression:manage") && <Link href={newSuppressionUrl({ result: id })}>Mark as false positive</Link>}
      </nav>
      <h2>Contributing events ({events.length})</h2>
      {expired && (
        <p className="muted" role="status">
          Raw events have expired: events dated <TimeRange from={expired.rangeStart.toISOString()} to={expired.rangeEnd.toISOString()} /> were
          dropped on <Time iso={expired.droppedAt.toISOString()} /> under the {expired.retentionDays}-day retention ({result.count - events.length} of the{" "}
          {result.count} events this result counted are no longer stored). The result, its risk events and its notable stay.
        </p>
      )}
      <table className="data" aria-label="Contributing events">
        <TableHead columns={[<ZoneHeading key="t">Time</ZoneHeading>, "Event", "Message and raw record"]} />
        <tbody>
          {events.map((e) => (
            <tr key={String(e.id)}>
              <td>
                <Time iso={e.time.toISOString()} title={e.timeCreated} millis zoneInHeading />
              </td>
              <td>
                {e.eventCode} <span className="muted">{e.channel}</span>
              </td>
              <td className="wrap-anywhere">
                <SafeText text={e.message} />
                <details>
                  <summary className="muted">
                    Raw record ({e.format}, record {e.position} of its upload)
                  </summary>
                  <pre className="raw">{visibleBidi(e.raw)}</pre>
                </details>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
