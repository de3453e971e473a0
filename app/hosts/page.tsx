import type { Metadata } from "next";
import { Suspense } from "react";
import { setAsOfAction } from "@/app/as-of-actions";
import { AsOf, backTo } from "@/components/AsOf";
import { HostsTable } from "@/components/HostsTable";
import { TableSkeleton } from "@/components/Skeleton";
import { requireUser } from "@/lib/auth/server";
import { ENABLE_IIS_CONFIGURATION_LOG, hostListParams, listHosts, NOT_AN_IIS_SERVER } from "@/lib/hosts/queries";
import { quietAfterHours } from "@/lib/hosts/channels";
import { latestRiskEventTime } from "@/lib/risk/rollups";
import { asOf } from "@/lib/views/as-of";
import { detectionNames } from "@/lib/views/detection-names";
import { LabelledInput, LabelledSelect } from "@/components/forms/labelled";

export const metadata: Metadata = { title: "Hosts" };
export const dynamic = "force-dynamic";

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

async function HostsList({ searchParams, at }: { searchParams: SearchParams; at: Date }) {
  const params = hostListParams.parse(await searchParams);
  const { rows, total } = await listHosts(params, at);
  const names = detectionNames();
  return (
    <HostsTable rows={rows} total={total} page={params.page} size={params.size} sort={params.sort} dir={params.dir} detectionNames={names} enableLogHelp={ENABLE_IIS_CONFIGURATION_LOG} notIisHelp={NOT_AN_IIS_SERVER} quietHours={quietAfterHours()} />
  );
}

export default async function HostsPage({ searchParams }: { searchParams: SearchParams }) {
  await requireUser("data:read");
  const query = await searchParams;
  const current = hostListParams.parse(query);
  // The risk columns' windows end "as of" (now, or the latest data when it is historical), as on every risk view.
  const reference = await asOf(query, await latestRiskEventTime(), 168);
  return (
    <>
      <h1>Hosts</h1>
      <form className="filters" method="get" role="search" aria-label="Filter hosts">
        <LabelledInput label="Host name contains" name="q" defaultValue={current.q ?? ""} placeholder="any host" />
        <LabelledSelect label="IIS configuration log" name="coverage" defaultValue={current.coverage}>
          <option value="all">any</option>
          <option value="missing">missing on an IIS server</option>
          <option value="present">collected</option>
        </LabelledSelect>
        <LabelledSelect label="Shippers" name="shipper" defaultValue={current.shipper}>
          <option value="all">any</option>
          <option value="quiet">a channel gone quiet</option>
        </LabelledSelect>
        <input type="hidden" name="sort" value={current.sort} />
        <input type="hidden" name="dir" value={current.dir} />
        <button type="submit">Filter</button>
      </form>
      <AsOf action={setAsOfAction} reference={reference} back={backTo("/hosts", query)} window="Risk 24 h and 7 d" />
      <p className="muted">
        Risk sums the risk events of the 24 hours and 7 days ending then (what no suppression hides). A host whose IIS configuration log is
        missing cannot raise <em>New Module Added</em>: {ENABLE_IIS_CONFIGURATION_LOG} A channel is flagged <strong>quiet</strong> when it used to
        deliver at least once every {quietAfterHours()} hours on average but sent nothing in the {quietAfterHours()} hours before then
        (<code>IISWATCH_QUIET_AFTER_HOURS</code>): check its shipper. A sparse channel (the IIS configuration log writes only on a change) is never
        flagged.
      </p>
      <Suspense key={JSON.stringify(current)} fallback={<TableSkeleton />}>
        <HostsList searchParams={searchParams} at={reference.at} />
      </Suspense>
    </>
  );
}
