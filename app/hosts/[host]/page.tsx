import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { z } from "zod";
import { HostTimeline } from "@/components/charts/HostTimeline";
import { ChannelActivityList } from "@/components/ChannelActivityList";
import { EventsTable } from "@/components/EventsTable";
import { RangePicker } from "@/components/RangePicker";
import { ResultsTable } from "@/components/ResultsTable";
import { SectionPager } from "@/components/SectionPager";
import { SafeText } from "@/components/SafeText";
import { SimpleTable } from "@/components/SimpleTable";
import { Time, TimeRange, ZoneHeading } from "@/components/time/TimeZone";
import { can, requireUser } from "@/lib/auth/server";
import { decodeSegment } from "@/lib/db/ids";
import { visibleBidi } from "@/lib/text/bidi";
import { listResults, resultRowJson } from "@/lib/detections";
import { channelActivity, quietAfterHours } from "@/lib/hosts/channels";
import { ENABLE_IIS_CONFIGURATION_LOG, NOT_AN_IIS_SERVER, getHost, hostDataBounds, hostModules, hostNotables, hostRiskEvents, hostTimeline } from "@/lib/hosts/queries";
import { eventListParams, listEvents } from "@/lib/ingest/queries";
import { statusLabel } from "@/lib/triage/fields";
import { detectionNames } from "@/lib/views/detection-names";
import { defaultRangeFor, rangeParams, resolveRange } from "@/lib/views/range";
import { CHAIN_LINKS, chainWindowMs, hostChains, MIN_CHAIN_LINKS } from "@/lib/risk/chains";
import { HostPriority } from "./HostPriority";
import { ModuleInventory } from "./ModuleInventory";
import { hostModuleInventory } from "@/lib/inventory/snapshots";
import { eventsUrl, notableUrl, notablesUrl, resultsUrl, riskUrl, suppressionsUrl } from "@/lib/links/urls";
import { TableHead } from "@/components/TableHead";

export const dynamic = "force-dynamic";

/** Rows per page of each list on the page (modules, results, notables, risk events, events); each pages on its own URL parameter. */
const SECTION_SIZE = 25;
const sectionPage = z.coerce.number().int().min(1).max(100_000).catch(1);
const sectionPages = z.object({ modulesPage: sectionPage, resultsPage: sectionPage, notablesPage: sectionPage, riskPage: sectionPage });
const slice = (page: number) => ({ limit: SECTION_SIZE, offset: (page - 1) * SECTION_SIZE });

type Props = { params: Promise<{ host: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: visibleBidi(decodeSegment((await params).host) ?? "Host") };
}

export default async function HostPage({ params, searchParams }: Props) {
  const user = await requireUser("data:read");
  const id = decodeSegment((await params).host) ?? notFound();
  const host = await getHost(id);
  if (!host) notFound();
  const query = await searchParams;
  // The host's data spans its events and the risk raised from them (stamped later, at the run's time): "all" and
  // the default range of an old host reach both, so no risk event falls outside the page.
  const bounds = await hostDataBounds(host);
  const range = resolveRange(rangeParams.parse({ range: defaultRangeFor(bounds.last), ...query }), bounds);
  const eventParams = eventListParams.parse({ size: SECTION_SIZE, ...query, host: host.id });
  const showSuppressed = query.suppressed === "show";
  const pages = sectionPages.parse(query);

  // Each channel's last event and quiet flag as of the end of the range shown (lib/hosts/channels.ts).
  const [timeline, modules, inventory, results, notables, risk, events, channels, chains] = await Promise.all([
    hostTimeline(host.id, range.from, range.to),
    hostModules(host.id, slice(pages.modulesPage)),
    hostModuleInventory(host.id),
    listResults({ dest: host.id, from: range.from, to: range.to, includeSuppressed: showSuppressed, ...slice(pages.resultsPage) }),
    hostNotables(host.id, slice(pages.notablesPage)),
    hostRiskEvents(host.id, range.from, range.to, slice(pages.riskPage)),
    listEvents({ ...eventParams, from: range.from, to: range.to }),
    channelActivity([host.id], range.to),
    hostChains(host.id, chainWindowMs(), { from: range.from, to: range.to }),
  ]);
  const names = detectionNames();

  return (
    <>
      <h1 className="wrap-anywhere"><SafeText text={host.name} /></h1>
      <dl className="facts">
        <dt>Events</dt>
        <dd>
          {host.events.toLocaleString()} (<TimeRange from={host.firstEvent?.toISOString()} to={host.lastEvent?.toISOString()} />)
        </dd>
        <dt>
          <ZoneHeading>Last event per channel</ZoneHeading>
        </dt>
        <dd>
          <ChannelActivityList channels={channels.get(host.id) ?? []} quietHours={quietAfterHours()} />
          <span className="muted"> as of the end of the range shown</span>
        </dd>
        <dt>Asset priority</dt>
        <dd>
          <HostPriority host={host.id} priority={host.priority} canEdit={can(user, "settings:manage")} />
        </dd>
        <dt>IIS configuration log</dt>
        <dd>
          {host.iisConfigEvents > 0 ? (
            <span className="status-done">collected ({host.iisConfigEvents.toLocaleString()} events)</span>
          ) : host.iisEvents === 0 ? (
            <span className="muted">— {NOT_AN_IIS_SERVER}</span>
          ) : (
            <span className="status-failed">⚠ missing — {ENABLE_IIS_CONFIGURATION_LOG}</span>
          )}
        </dd>
      </dl>
      <nav className="tabs" aria-label="Host views">
        <Link href={riskUrl(host.id)}>7-day risk drilldown</Link>
        <Link href={resultsUrl({ dest: host.id })}>All detection results</Link>
        <Link href={eventsUrl({ host: host.id })}>All events</Link>
        <Link href={notablesUrl({ status: "all", dest: host.id })}>Notables queue</Link>
        <Link href={suppressionsUrl({ dest: host.id })}>Suppressions for this host</Link>
      </nav>

      <nav className="tabs" aria-label="On this page">
        <a href="#timeline">Timeline</a>
        <a href="#modules">IIS modules ({modules.total})</a>
        <a href="#chain">Module chain ({chains.filter((c) => c.complete).length})</a>
        <a href="#inventory">Module inventory</a>
        <a href="#results">Results ({results.total})</a>
        <a href="#notables">Notables ({notables.total})</a>
        <a href="#risk">Risk events ({risk.total})</a>
        <a href="#events">Events</a>
      </nav>

      <h2 id="timeline">Timeline ({range.label})</h2>
      <RangePicker range={range.key} from={range.from.toISOString()} to={range.to.toISOString()} />
      <HostTimeline points={timeline.buckets} codes={timeline.codes} bucket={timeline.bucket} />

      <h2 id="modules">IIS modules</h2>
      <table className="data" aria-label="IIS modules added or failing">
        <TableHead columns={["What", "Module", "Image / architecture", <ZoneHeading key="f">First seen</ZoneHeading>, <ZoneHeading key="l">Last seen</ZoneHeading>, "Results"]} />
        <tbody>
          {modules.rows.map((m) => (
            <tr key={`${m.what}-${m.module}`}>
              <td className={m.what === "added" ? "status-processing" : "status-failed"}>{m.what === "added" ? `added (${m.detail})` : "failed to load"}</td>
              <td className="mono wrap-anywhere">{m.module}</td>
              <td className="mono wrap-anywhere">{m.what === "added" ? (m.image ?? "—") : m.detail}</td>
              <td>
                <Time iso={m.firstSeen.toISOString()} zoneInHeading />
              </td>
              <td>
                <Time iso={m.lastSeen.toISOString()} zoneInHeading />
              </td>
              <td>{m.results}</td>
            </tr>
          ))}
          {modules.total === 0 && (
            <tr>
              <td colSpan={6} className="muted">
                No module added or failing to load.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <SectionPager noun="modules" param="modulesPage" page={pages.modulesPage} size={SECTION_SIZE} total={modules.total} query={query} order="oldest first" />

      <h2 id="chain">Module chain ({range.label})</h2>
      <p className="muted">
        From each module added: the first module load failure, w3wp.exe child process and account change that follow it in order within{" "}
        {chainWindowMs() / 3_600_000} h, read from the events. {MIN_CHAIN_LINKS} links or more make a chain notable.
      </p>
      {chains.length === 0 && <p className="muted">No module added in this range.</p>}
      {chains.slice(0, 20).map((c) => (
        <section key={c.links[0].id} aria-label={`Module chain from ${c.start.toISOString()}`} data-testid="module-chain">
          <h3>
            <Time iso={c.start.toISOString()} /> — {c.complete ? <span className="status-failed">complete chain</span> : <span className="muted">incomplete</span>} ({c.links.length} of{" "}
            {Object.keys(CHAIN_LINKS).length} links)
          </h3>
          <ol>
            {c.links.map((l) => (
              <li key={l.id}>
                <Time iso={l.time.toISOString()} /> {CHAIN_LINKS[l.kind]} (event {l.eventCode}): <SafeText text={l.detail} className="mono wrap-anywhere" />
              </li>
            ))}
          </ol>
        </section>
      ))}
      <h2 id="inventory">IIS global modules (uploaded inventories)</h2>
      <ModuleInventory inventory={inventory} />

      <h2 id="results">Detection results ({range.label})</h2>
      <p>
        {showSuppressed ? (
          <Link href={`?${new URLSearchParams({ ...flat(query), suppressed: "hide" })}`}>Hide suppressed results</Link>
        ) : (
          <Link href={`?${new URLSearchParams({ ...flat(query), suppressed: "show" })}`}>Show suppressed results too</Link>
        )}
      </p>
      <ResultsTable
        rows={results.rows.map(resultRowJson)}
        total={results.total}
        detectionNames={names}
        pager={<SectionPager noun="results" param="resultsPage" page={pages.resultsPage} size={SECTION_SIZE} total={results.total} query={query} />}
      />

      <h2 id="notables">Notables</h2>
      <SimpleTable
        label="Notables"
        headers={[<ZoneHeading key="t">Time</ZoneHeading>, "Title", "Severity", "Urgency", "Status"]}
        empty="No notables."
        rows={notables.rows.map((n) => ({
          key: n.id,
          cells: [
            <Time key="t" iso={n.time.toISOString()} zoneInHeading />,
            <Link key="n" href={notableUrl(n.id)}>
              {n.title}
            </Link>,
            <span key="s" className={`badge ${n.severity}`}>{n.severity}</span>,
            <span key="u" className={`badge ${n.urgency}`}>{n.urgency}</span>,
            statusLabel(n.status),
          ],
        }))}
      />
      <SectionPager noun="notables" param="notablesPage" page={pages.notablesPage} size={SECTION_SIZE} total={notables.total} query={query} all={{ href: notablesUrl({ status: "all", dest: host.id }), label: "Open in the notables queue" }} />

      <h2 id="risk">Risk events ({range.label})</h2>
      <SimpleTable
        label="Risk events"
        headers={[<ZoneHeading key="t">_time</ZoneHeading>, "search_name", "risk_score", "risk_message", "Tactics"]}
        empty="No risk events in this range."
        rows={risk.rows.map((r) => ({
          key: r.id,
          className: r.suppressed ? "muted" : undefined,
          cells: [
            <Time key="t" iso={r.time.toISOString()} zoneInHeading />,
            r.searchName,
            r.suppressed ? (
              <s key="s" title="Suppressed: does not count">
                {r.riskScore}
              </s>
            ) : (
              r.riskScore
            ),
            <span key="m" className="wrap-anywhere">
              <SafeText text={r.riskMessage} />
            </span>,
            r.tactics.join(", "),
          ],
        }))}
      />
      <SectionPager noun="risk events" param="riskPage" page={pages.riskPage} size={SECTION_SIZE} total={risk.total} query={query} />

      <h2 id="events">Events ({range.label})</h2>
      <EventsTable rows={events.rows} total={events.total} page={eventParams.page} size={eventParams.size} sort={eventParams.sort} dir={eventParams.dir} />
    </>
  );
}

function flat(query: Record<string, string | string[] | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(query).flatMap(([k, v]) => (typeof v === "string" ? [[k, v]] : [])));
}
