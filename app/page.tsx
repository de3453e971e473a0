import Link from "next/link";
import { RiskByDay } from "@/components/charts/RiskByDay";
import { setAsOfAction } from "@/app/as-of-actions";
import { AsOf } from "@/components/AsOf";
import { loadDemoAction } from "@/app/demo-actions";
import { DemoDataButton } from "@/components/DemoDataButton";
import { SimpleTable } from "@/components/SimpleTable";
import { Time, ZoneHeading } from "@/components/time/TimeZone";
import { can, requireUser } from "@/lib/auth/server";
import { INCIDENT_RULES, latestRiskEventTime, riskByDay, riskByHost } from "@/lib/risk/rollups";
import { backdoorSigns, overviewCounts, type BackdoorSign } from "@/lib/views/overview";
import { asOf } from "@/lib/views/as-of";
import { hostUrl, hostsUrl, resultsUrl, riskUrl } from "@/lib/links/urls";

export const dynamic = "force-dynamic";

const HOUR = 3_600_000;

function Card({ label, value, href, testId, warn }: { label: string; value: number; href?: string; testId?: string; warn?: boolean }) {
  const body = (
    <>
      <div className="label">{label}</div>
      <div className={`value${warn && value > 0 ? " error" : ""}`} data-testid={testId}>
        {value.toLocaleString("en")}
      </div>
    </>
  );
  return <div className="card">{href ? <Link href={href} style={{ color: "inherit", textDecoration: "none" }}>{body}</Link> : body}</div>;
}

function RiskiestHosts({ title, hosts }: { title: string; hosts: { host: string; score: number; events: number }[] }) {
  return (
    <section aria-label={title}>
      <h2>{title}</h2>
      <SimpleTable
        label={title}
        headers={["Host", "Risk", "Risk events"]}
        empty="No risk in this period."
        rows={hosts.map((h) => ({
          key: h.host,
          cells: [
            <Link key="h" href={hostUrl(h.host)} className="wrap-anywhere">
              {h.host}
            </Link>,
            <Link key="r" href={riskUrl(h.host)} className={h.score > INCIDENT_RULES.scoreOver24h.threshold ? "error" : undefined}>
              {h.score}
            </Link>,
            h.events,
          ],
        }))}
      />
    </section>
  );
}

/** Hosts with a module installed, a DLL failing to load or HTTP logging disabled: first, whatever their risk. */
function BackdoorSigns({ signs }: { signs: BackdoorSign[] }) {
  const title = "Backdoor signs (IIS modules installed, DLLs failing to load, logging disabled)";
  return (
    <section aria-label="Backdoor signs">
      <h2>{title}</h2>
      <SimpleTable
        label="Backdoor signs"
        headers={["Host", "Latest finding", "Results", <ZoneHeading key="t">Last seen</ZoneHeading>]}
        empty="None: no module installed, no DLL failing to load, no HTTP logging disabled."
        rows={signs.map((s) => ({
          key: s.host,
          cells: [
            <Link key="h" href={hostUrl(s.host)} className="wrap-anywhere">
              <bdi>{s.name}</bdi>
            </Link>,
            <span key="w" className={`wrap-anywhere finding-${s.kind}`}>
              {s.what}
            </span>,
            <Link key="r" href={resultsUrl({ dest: s.host })}>
              {s.results}
            </Link>,
            <Time key="t" iso={s.lastSeen.toISOString()} zoneInHeading />,
          ],
        }))}
      />
    </section>
  );
}

export default async function OverviewPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requireUser("data:read");
  const [counts, latest, signs] = await Promise.all([overviewCounts(), latestRiskEventTime(), backdoorSigns()]);
  // Historical data (no risk in the last 7 days, some before) is shown as of its latest risk event.
  const reference = await asOf(await searchParams, latest, 168);
  const at = reference.at.getTime();
  const [day, week, days] = await Promise.all([
    riskByHost({ from: new Date(at - 24 * HOUR), to: reference.at }, 10),
    riskByHost({ from: new Date(at - 168 * HOUR), to: reference.at }, 10),
    riskByDay({ from: new Date(at - 30 * 24 * HOUR), to: reference.at }),
  ]);
  return (
    <>
      <h1>Overview</h1>
      {counts.events === 0 && (
        <section className="panel" aria-label="Get started">
          <p>
            No events yet. <Link href="/uploads">Upload Windows event logs</Link> exported from your IIS servers — the
            Microsoft-IIS-Configuration/Operational and Application logs — or try it with demo data:
          </p>
          {can(user, "upload:create") && <DemoDataButton load={loadDemoAction} />}
        </section>
      )}
      <div className="cards">
        <Card label="Events" value={counts.events} href="/events" testId="count-events" />
        <Card label="Hosts" value={counts.hosts} href="/hosts" testId="count-hosts" />
        <Card label="Open notables" value={counts.openNotables} href="/notables" testId="count-open-notables" warn />
        <Card label="Detection results, events of the last 24 h" value={counts.results24h} href="/results" testId="count-results-24h" />
        <Card label="Hosts without the IIS configuration log" value={counts.hostsWithoutIisConfigLog} href={hostsUrl({ coverage: "missing" })} testId="count-missing-log" warn />
        <Card label="Uploads" value={counts.uploads} href="/uploads" />
      </div>
      {reference.historical && <p className="callout">The data is historical: risk is shown as of its latest risk event.</p>}
      <AsOf action={setAsOfAction} reference={reference} back="/" window="Risk windows" />
      <BackdoorSigns signs={signs} />
      <div className="grid-2">
        <RiskiestHosts title="Riskiest hosts, 24 hours" hosts={day} />
        <RiskiestHosts title="Riskiest hosts, 7 days" hosts={week} />
      </div>
      <h2>Risk over the last 30 days</h2>
      <RiskByDay days={days} />
    </>
  );
}
