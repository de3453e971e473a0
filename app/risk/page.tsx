import type { Metadata } from "next";
import Link from "next/link";
import { setAsOfAction } from "@/app/as-of-actions";
import { AsOf, backTo } from "@/components/AsOf";
import { RiskByDay } from "@/components/charts/RiskByDay";
import { SafeText } from "@/components/SafeText";
import { RangePicker } from "@/components/RangePicker";
import { SimpleTable } from "@/components/SimpleTable";
import { Time, ZoneHeading } from "@/components/time/TimeZone";
import { requireUser } from "@/lib/auth/server";
import { evaluateIncidentRules, INCIDENT_RULES, riskByDay, riskByDetection, riskByHost, riskByTactic, riskEventBounds } from "@/lib/risk/rollups";
import { listRiskIncidents } from "@/lib/risk/incidents";
import { statusLabel } from "@/lib/triage/fields";
import { rangeParams, resolveRange } from "@/lib/views/range";
import { asOf } from "@/lib/views/as-of";
import { detectionUrl, hostUrl, notableUrl, notablesUrl, resultUrl, riskUrl } from "@/lib/links/urls";

export const metadata: Metadata = { title: "Risk" };
export const dynamic = "force-dynamic";

const RULE_TITLES = {
  scoreOver24h: `Risk Threshold Exceeded For Object Over 24 Hour Period (score > ${INCIDENT_RULES.scoreOver24h.threshold})`,
  tacticsOver7d: `ATT&CK Tactic Threshold Exceeded For Object Over Previous 7 Days (≥ ${INCIDENT_RULES.tacticsOver7d.minTactics} tactics from ≥ ${INCIDENT_RULES.tacticsOver7d.minSources} sources)`,
};

export default async function RiskPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireUser("data:read");
  const query = await searchParams;
  const bounds = await riskEventBounds();
  const latest = bounds.last;
  const reference = await asOf(query, latest, INCIDENT_RULES.tacticsOver7d.hours);
  // "All" is all the risk there is, from the first risk event to the latest; the last 24 h, 7 d… end "as of".
  const range = resolveRange(rangeParams.parse({ range: "7d", ...query }), bounds, reference.at);
  const window = { from: range.from, to: range.to };
  const [hosts, detections, tactics, days, findings, incidents] = await Promise.all([
    riskByHost(window, 50),
    riskByDetection(window),
    riskByTactic(window),
    riskByDay(window),
    evaluateIncidentRules(reference.at),
    listRiskIncidents({ limit: 100, until: reference.at }),
  ]);
  return (
    <>
      <h1>Risk</h1>
      <AsOf action={setAsOfAction} reference={reference} back={backTo("/risk", query)} window="Risk incident rules and rollups: windows" />
      <h2>Risk incidents (all data up to then)</h2>
      <p className="muted">
        Every time an object&apos;s risk crossed one of ES&apos;s risk incident rules, anywhere in the data, as a notable of its own (at most one per object
        and rule a day, as ES throttles them).
      </p>
      <SimpleTable
        label="Risk incidents"
        headers={[<ZoneHeading key="t">_time</ZoneHeading>, "risk_object", "Rule", "Risk", "Risk events", "Status"]}
        empty="No object's risk has crossed a risk incident rule."
        rows={incidents.rows.map((i) => ({
          key: i.id,
          cells: [
            <Time key="t" iso={i.time.toISOString()} zoneInHeading />,
            <Link key="h" href={hostUrl(i.dest.toLowerCase())} className="wrap-anywhere">
              <SafeText text={i.dest} />
            </Link>,
            <Link key="n" href={notableUrl(i.id)}>
              {i.title}
            </Link>,
            i.score,
            i.riskEvents,
            statusLabel(i.status),
          ],
        }))}
      />
      {incidents.total > incidents.rows.length && (
        <p>
          <Link href={notablesUrl({ status: "all", detection: "risk_incident" })}>All {incidents.total.toLocaleString("en")} risk incidents in the notables queue</Link>
        </p>
      )}
      <h2>Risk incident rules, evaluated then</h2>

      {findings.length === 0 && <p className="muted">No object exceeds a risk threshold.</p>}
      {findings.map((f) => (
        <section key={`${f.rule}-${f.host}`} className="panel" aria-label={`${RULE_TITLES[f.rule]}: ${f.host}`} data-testid="incident">
          <h3 style={{ margin: 0 }}>
            <Link href={hostUrl(f.host)}>{f.host}</Link> — risk {f.score}
          </h3>
          <p className="muted">
            {RULE_TITLES[f.rule]} · tactics: {f.tactics.join(", ") || "—"} · sources: {f.sources}
          </p>
          <SimpleTable
            label={`Contributing risk events for ${f.host}`}
            headers={[<ZoneHeading key="t">_time</ZoneHeading>, "search_name", "risk_score", "risk_message"]}
            rows={f.contributing.map((c) => ({
              key: c.id,
              cells: [
                <Time key="t" iso={c.time.toISOString()} zoneInHeading />,
                c.searchName,
                c.riskScore,
                <Link key="m" href={resultUrl(c.resultId)} className="wrap-anywhere">
                  <SafeText text={c.riskMessage} />
                </Link>,
              ],
            }))}
          />
        </section>
      ))}

      <h2>Rollups ({range.label})</h2>
      <RangePicker range={range.key} from={range.from.toISOString()} to={range.to.toISOString()} />
      <RiskByDay days={days} />
      <div className="grid-2">
        <section aria-label="Risk by host">
          <h3>By host</h3>
          <SimpleTable
            label="Risk by host"
            headers={["risk_object", "Score", "Events", "Sources", "Tactics"]}
            rows={hosts.map((h) => ({
              key: h.host,
              cells: [
                <Link key="h" href={riskUrl(h.host)} className="wrap-anywhere">
                  {h.host}
                </Link>,
                h.score,
                h.events,
                h.sources,
                h.tactics.join(", "),
              ],
            }))}
          />
        </section>
        <section aria-label="Risk by detection and tactic">
          <h3>By detection</h3>
          <SimpleTable
            label="Risk by detection"
            headers={["search_name", "Score", "Events", "Hosts"]}
            rows={detections.map((d) => ({
              key: d.searchName,
              cells: [
                <Link key="d" href={detectionUrl(d.detectionId)}>
                  {d.searchName}
                </Link>,
                d.score,
                d.events,
                d.hosts,
              ],
            }))}
          />
          <h3>By ATT&amp;CK tactic</h3>
          <SimpleTable
            label="Risk by tactic"
            headers={["Tactic", "Score", "Events", "Hosts"]}
            rows={tactics.map((t) => ({ key: t.tactic, cells: [t.tactic, t.score, t.events, t.hosts] }))}
          />
          <h3>By day</h3>
          <SimpleTable
            label="Risk by day"
            headers={["Day (UTC)", "Score", "Events"]}
            rows={days.filter((d) => d.events > 0).map((d) => ({ key: d.day, cells: [d.day, d.score, d.events] }))}
          />
        </section>
      </div>
    </>
  );
}
