import type { Metadata } from "next";
import Link from "next/link";
import { RiskByDay } from "@/components/charts/RiskByDay";
import { RangePicker } from "@/components/RangePicker";
import { Time } from "@/components/time/TimeZone";
import { requireUser } from "@/lib/auth/server";
import { evaluateIncidentRules, INCIDENT_RULES, latestRiskEventTime, riskByDay, riskByDetection, riskByHost, riskByTactic } from "@/lib/risk/rollups";
import { rangeParams, resolveRange } from "@/lib/views/range";
import { referenceTime } from "@/lib/views/reference";

export const metadata: Metadata = { title: "Risk" };
export const dynamic = "force-dynamic";

const RULE_TITLES = {
  scoreOver24h: `Risk Threshold Exceeded For Object Over 24 Hour Period (score > ${INCIDENT_RULES.scoreOver24h.threshold})`,
  tacticsOver7d: `ATT&CK Tactic Threshold Exceeded For Object Over Previous 7 Days (≥ ${INCIDENT_RULES.tacticsOver7d.minTactics} tactics from ≥ ${INCIDENT_RULES.tacticsOver7d.minSources} sources)`,
};

export default async function RiskPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireUser("data:read");
  const query = await searchParams;
  const latest = await latestRiskEventTime();
  const reference = referenceTime(query.at, latest, INCIDENT_RULES.tacticsOver7d.hours);
  const range = resolveRange(rangeParams.parse({ range: reference.historical ? "all" : "7d", ...query }), { first: null, last: latest });
  const window = { from: range.from, to: range.to };
  const [hosts, detections, tactics, days, findings] = await Promise.all([
    riskByHost(window, 50),
    riskByDetection(window),
    riskByTactic(window),
    riskByDay(range.key === "all" && latest ? { from: new Date(latest.getTime() - 30 * 86_400_000), to: new Date(latest.getTime() + 1) } : window),
    evaluateIncidentRules(reference.at),
  ]);
  return (
    <>
      <h1>Risk</h1>
      <h2>Risk incident rules</h2>
      <p>
        Evaluated at <Time iso={reference.at.toISOString()} /> ({reference.explanation}). <Link href="?at=now">Evaluate now</Link>
      </p>
      {findings.length === 0 && <p className="muted">No object exceeds a risk threshold.</p>}
      {findings.map((f) => (
        <section key={`${f.rule}-${f.host}`} className="panel" aria-label={`${RULE_TITLES[f.rule]}: ${f.host}`} data-testid="incident">
          <h3 style={{ margin: 0 }}>
            <Link href={`/hosts/${encodeURIComponent(f.host)}`}>{f.host}</Link> — risk {f.score}
          </h3>
          <p className="muted">
            {RULE_TITLES[f.rule]} · tactics: {f.tactics.join(", ") || "—"} · sources: {f.sources}
          </p>
          <table className="data" aria-label={`Contributing risk events for ${f.host}`}>
            <thead>
              <tr>
                <th>_time</th>
                <th>search_name</th>
                <th>risk_score</th>
                <th>risk_message</th>
              </tr>
            </thead>
            <tbody>
              {f.contributing.map((c) => (
                <tr key={c.id}>
                  <td>
                    <Time iso={c.time.toISOString()} />
                  </td>
                  <td>{c.searchName}</td>
                  <td>{c.riskScore}</td>
                  <td className="wrap-anywhere">
                    <Link href={`/results/${c.resultId}`}>{c.riskMessage}</Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ))}

      <h2>Rollups ({range.label})</h2>
      <RangePicker range={range.key} from={range.from.toISOString()} to={range.to.toISOString()} />
      <RiskByDay days={days} />
      <div className="grid-2">
        <section aria-label="Risk by host">
          <h3>By host</h3>
          <table className="data" aria-label="Risk by host">
            <thead>
              <tr>
                <th>risk_object</th>
                <th>Score</th>
                <th>Events</th>
                <th>Sources</th>
                <th>Tactics</th>
              </tr>
            </thead>
            <tbody>
              {hosts.map((h) => (
                <tr key={h.host}>
                  <td className="wrap-anywhere">
                    <Link href={`/risk/${encodeURIComponent(h.host)}`}>{h.host}</Link>
                  </td>
                  <td>{h.score}</td>
                  <td>{h.events}</td>
                  <td>{h.sources}</td>
                  <td>{h.tactics.join(", ")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        <section aria-label="Risk by detection and tactic">
          <h3>By detection</h3>
          <table className="data" aria-label="Risk by detection">
            <thead>
              <tr>
                <th>search_name</th>
                <th>Score</th>
                <th>Events</th>
                <th>Hosts</th>
              </tr>
            </thead>
            <tbody>
              {detections.map((d) => (
                <tr key={d.searchName}>
                  <td>
                    <Link href={`/detections/${d.detectionId}`}>{d.searchName}</Link>
                  </td>
                  <td>{d.score}</td>
                  <td>{d.events}</td>
                  <td>{d.hosts}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h3>By ATT&amp;CK tactic</h3>
          <table className="data" aria-label="Risk by tactic">
            <thead>
              <tr>
                <th>Tactic</th>
                <th>Score</th>
                <th>Events</th>
                <th>Hosts</th>
              </tr>
            </thead>
            <tbody>
              {tactics.map((t) => (
                <tr key={t.tactic}>
                  <td>{t.tactic}</td>
                  <td>{t.score}</td>
                  <td>{t.events}</td>
                  <td>{t.hosts}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h3>By day</h3>
          <table className="data" aria-label="Risk by day">
            <thead>
              <tr>
                <th>Day (UTC)</th>
                <th>Score</th>
                <th>Events</th>
              </tr>
            </thead>
            <tbody>
              {days
                .filter((d) => d.events > 0)
                .map((d) => (
                  <tr key={d.day}>
                    <td>{d.day}</td>
                    <td>{d.score}</td>
                    <td>{d.events}</td>
                  </tr>
                ))}
            </tbody>
          </table>
        </section>
      </div>
    </>
  );
}
