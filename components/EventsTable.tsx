"use client";
// Stored events, newest first; every field and the original record text are on the event's own page (one click).
import { createColumnHelper } from "@tanstack/react-table";
import Link from "next/link";
import type { EventRow, EventSort } from "@/lib/ingest/queries";
import { tablePageProps, type TablePage } from "./data-table/table-page";
import { DataTable, sortableColumns, type DataTableFeatures } from "./data-table/DataTable";
import { SafeText } from "./SafeText";
import { Time, ZoneHeading } from "./time/TimeZone";
import { eventUrl } from "@/lib/links/urls";

const helper = createColumnHelper<DataTableFeatures, EventRow>();
const sortable = sortableColumns<EventSort>();
const columns = helper.columns([
  sortable(
    "time",
    helper.accessor("time", {
      header: () => <ZoneHeading>Time</ZoneHeading>,
      cell: (c) => <Time iso={c.getValue()} title={c.row.original.timeCreated} millis zoneInHeading />,
    }),
  ),
  sortable("host", helper.accessor("host", { header: "Host", cell: (c) => <SafeText className="wrap-anywhere" text={c.getValue()} /> })),
  sortable("eventCode", helper.accessor("eventCode", { header: "Event" })),
  sortable("channel", helper.accessor("channel", { header: "Channel", cell: (c) => <SafeText className="wrap-anywhere" text={c.getValue()} /> })),
  helper.accessor("provider", { header: "Provider", cell: (c) => <SafeText className="wrap-anywhere" text={c.getValue()} /> }),
  helper.accessor("data", {
    header: "Key data",
    // The first event data values, inline, as Hayabusa and Chainsaw timelines show them.
    cell: (c) =>
      c.getValue().length ? (
        <dl className="kv">
          {c.getValue().map(([k, v]) => (
            <div key={k}>
              <dt><SafeText text={k} /></dt> <dd className="mono wrap-anywhere"><SafeText text={v} /></dd>
            </div>
          ))}
        </dl>
      ) : (
        <span className="muted">—</span>
      ),
  }),
  helper.accessor("message", {
    header: "Message",
    cell: (c) => (
      <div className="wrap-anywhere">
        {c.getValue() !== null ? <SafeText text={c.getValue()} /> : <span className="muted">(no message)</span>}
        <div>
          <Link className="muted" href={eventUrl(c.row.original.id)}>
            {c.row.original.recordId === null ? "Details" : `EventRecordID ${c.row.original.recordId}`} — record {c.row.original.position} of the upload (
            {c.row.original.format}), original text
          </Link>
        </div>
      </div>
    ),
  }),
]);

export function EventsTable(
  props: TablePage<EventRow, EventSort> & {
    /** Keyset pages (the Events page): the cursors of the pages either side, and the count (capped). */
    keyset?: { previous: string | null; next: string | null; totalCapped: boolean };
    empty?: string;
  },
) {
  return (
    <DataTable
      label="Events"
      columns={columns}
      {...tablePageProps(props)}
      empty={props.empty ?? "No events yet: upload a log on the Uploads page."}
      keyset={
        props.keyset && {
          previous: props.keyset.previous,
          next: props.keyset.next,
          summary: `${props.rows.length} shown · ${props.total.toLocaleString("en")}${props.keyset.totalCapped ? "+" : ""} events match`,
        }
      }
    />
  );
}
