import type { Metadata } from "next";
import { Suspense } from "react";
import { EventsTable } from "@/components/EventsTable";
import { EVENT_COUNT_CAP, eventListParams, listEvents } from "@/lib/ingest/queries";
import { TableSkeleton } from "@/components/Skeleton";
import { requireUser } from "@/lib/auth/server";
import { LabelledInput } from "@/components/forms/labelled";

export const metadata: Metadata = { title: "Events" };
export const dynamic = "force-dynamic";

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

async function EventsList({ searchParams }: { searchParams: SearchParams }) {
  const params = eventListParams.parse(await searchParams);
  const { rows, total, totalCapped, keyset } = await listEvents(params, { keyset: true });
  const filtered = Boolean(params.host || params.code !== undefined || params.q || params.from || params.to || params.upload);
  return (
    <EventsTable
      rows={rows}
      total={Math.min(total, EVENT_COUNT_CAP)}
      page={params.page}
      size={params.size}
      sort={params.sort}
      dir={params.dir}
      keyset={{ previous: keyset!.previous, next: keyset!.next, totalCapped }}
      empty={filtered ? "No event matches these filters." : undefined}
    />
  );
}

export default async function EventsPage({ searchParams }: { searchParams: SearchParams }) {
  await requireUser("data:read");
  const current = eventListParams.parse(await searchParams);
  return (
    <>
      <h1>Events</h1>
      <form className="filters" method="get" role="search" aria-label="Filter events">
        <LabelledInput label="Host" name="host" defaultValue={current.host ?? ""} placeholder="any host" />
        <LabelledInput label="Event code" name="code" defaultValue={current.code ?? ""} inputMode="numeric" placeholder="any" size={6} />
        <LabelledInput label="Contains" name="q" type="search" defaultValue={current.q ?? ""} placeholder="text in the message or record" maxLength={200} />
        <LabelledInput label="From (UTC)" name="from" type="datetime-local" defaultValue={current.from?.toISOString().slice(0, 16) ?? ""} />
        <LabelledInput label="To (UTC)" name="to" type="datetime-local" defaultValue={current.to?.toISOString().slice(0, 16) ?? ""} />
        {current.upload && <input type="hidden" name="upload" value={current.upload} />}
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
