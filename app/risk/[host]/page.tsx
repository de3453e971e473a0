import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { setAsOfAction } from "@/app/as-of-actions";
import { AsOf, backTo } from "@/components/AsOf";
import { RiskByDay } from "@/components/charts/RiskByDay";
import { SafeText } from "@/components/SafeText";
import { requireUser } from "@/lib/auth/server";
import { decodeSegment } from "@/lib/db/ids";
import { visibleBidi } from "@/lib/text/bidi";
import { DRILLDOWN_HOURS, latestRiskEventTime, riskDrilldown } from "@/lib/risk";
import { riskByDay } from "@/lib/risk/rollups";
import { asOf } from "@/lib/views/as-of";
import { hostUrl, resultsUrl } from "@/lib/links/urls";

export const dynamic = "force-dynamic";

type Props = { params: Promise<{ host: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `7-day risk: ${visibleBidi(decodeSegment((await params).host) ?? "?")}` };
}

const COLUMNS = ["count", "firstTime", "lastTime", "Search Name", "Risk Message", "Analytic Stories", "Annotations", "ATT&CK Tactics"] as const;

/**
 * ESCU drilldown "View risk events for the last 7 days for $dest$": `| from datamodel Risk.All_Risk | search
 * normalized_risk_object IN ("$dest$") starthoursago=168 | stats … by normalized_risk_object`, over the 168 hours
 * ending at a reference time.
 */
export default async function RiskDrilldownPage({ params, searchParams }: Props) {
  await requireUser("data:read");
  const dest = decodeSegment((await params).host) ?? notFound();
  const query = await searchParams;
  const reference = await asOf(query, await latestRiskEventTime(dest), DRILLDOWN_HOURS);
  const from = new Date(reference.at.getTime() - DRILLDOWN_HOURS * 3_600_000);
  const [row, days] = await Promise.all([riskDrilldown(dest, reference.at), riskByDay({ from, to: reference.at }, dest)]);
  return (
    <>
      <h1 className="wrap-anywhere">Risk events for the last 7 days for &quot;<SafeText text={dest} />&quot;</h1>
      <AsOf action={setAsOfAction} reference={reference} back={backTo(`/risk/${encodeURIComponent(dest)}`, query)} window="The 168 hours" />
      <pre className="raw" aria-label="Equivalent Splunk search">
        {`| from datamodel Risk.All_Risk | search normalized_risk_object IN ("${visibleBidi(dest)}") starthoursago=168  | stats count min(_time) as firstTime max(_time) as lastTime values(search_name) as "Search Name" values(risk_message) as "Risk Message" values(analyticstories) as "Analytic Stories" values(annotations._all) as "Annotations" values(annotations.mitre_attack.mitre_tactic) as "ATT&CK Tactics" by normalized_risk_object | \`security_content_ctime(firstTime)\` | \`security_content_ctime(lastTime)\``}
      </pre>
      <table className="data" aria-label="7-day risk drilldown">
        <thead>
          <tr>
            <th>normalized_risk_object</th>
            {COLUMNS.map((c) => (
              <th key={c}>
                {c}
                {/* security_content_ctime prints UTC, whatever the switch says. */}
                {c.endsWith("Time") && <span className="time-zone"> (UTC)</span>}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {row ? (
            <tr data-testid="drilldown-row">
              <td>{row.normalized_risk_object}</td>
              <td data-testid="drilldown-count">{row.count}</td>
              <td className="mono">{row.firstTime}</td>
              <td className="mono">{row.lastTime}</td>
              {(["Search Name", "Risk Message", "Analytic Stories", "Annotations", "ATT&CK Tactics"] as const).map((c) => (
                <td key={c}>
                  <ul className="plain">
                    {row[c].map((v) => (
                      <li key={v} className="wrap-anywhere">
                        {v}
                      </li>
                    ))}
                  </ul>
                </td>
              ))}
            </tr>
          ) : (
            <tr>
              <td colSpan={COLUMNS.length + 1} className="muted">
                No risk events for this object in these 168 hours.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <h2>Risk per day</h2>
      <RiskByDay days={days} />
      <p>
        <Link href={hostUrl(dest.toLowerCase())}>Host page</Link> ·{" "}
        <Link href={resultsUrl({ dest, earliest: from, latest: reference.at })}>
          Detection results in these 7 days
        </Link>
      </p>
    </>
  );
}
