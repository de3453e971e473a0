import type { Metadata } from "next";
import { Suspense } from "react";
import { EventsTable } from "@/components/EventsTable";
import { eventListParams, listEvents } from "@/lib/ingest/queries";
import { TableSkeleton } from "@/components/Skeleton";
import { requireUser } from "@/lib/auth/server";

export const metadata: Metadata = { title: "Events" };
export const dynamic = "force-dynamic";

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

async function EventsList({ searchParams }: { searchParams: SearchParams }) {
  const params = eventListParams.parse(await searchParams);
  const { rows, total } = await listEvents(params);
  return <EventsTable rows={rows} total={total} page={params.page} size={params.size} sort={params.sort} dir={params.dir} />;
}

export default async function EventsPage({ searchParams }: { searchParams: SearchParams }) {
  await requireUser("data:read");
  const current = eventListParams.parse(await searchParams);
  return (
    <>
      <h1>Events</h1>
      <form className="filters" method="get" role="search" aria-label="Filter events">
        <label>
          Host
          <input name="host" defaultValue={current.host ?? ""} placeholder="any host" />
        </label>
        <label>
          Event code
          <input name="code" defaultValue={current.code ?? ""} inputMode="numeric" placeholder="any" size={6} />
        </label>
        <input type="hidden" name="sort" value={current.sort} />
        <input type="hidden" name="dir" value={current.dir} />
        <button type="submit">Filter</button>
      </form>
      <Suspense key={JSON.stringify(current)} fallback={<TableSkeleton />}>
        <EventsList searchParams={searchParams} />
      </Suspense>
    </>
  );
}
