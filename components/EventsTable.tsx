"use client";
// Stored events, newest first; every field and the original record text are on the event's own page (one click).
import { createColumnHelper } from "@tanstack/react-table";
import Link from "next/link";
import type { EventRow } from "@/lib/ingest/queries";
import { DataTable, type DataTableFeatures } from "./data-table/DataTable";
import { Time } from "./time/TimeZone";

const helper = createColumnHelper<DataTableFeatures, EventRow>();
const columns = helper.columns([
  helper.accessor("time", {
    header: "Time",
    cell: (c) => <Time iso={c.getValue()} title={c.row.original.timeCreated} millis />,
  }),
  helper.accessor("host", { header: "Host", cell: (c) => <span className="wrap-anywhere">{c.getValue()}</span> }),
  helper.accessor("eventCode", { header: "Event" }),
  helper.accessor("channel", { header: "Channel", cell: (c) => <span className="wrap-anywhere">{c.getValue()}</span> }),
  helper.accessor("provider", { header: "Provider", enableSorting: false, cell: (c) => <span className="wrap-anywhere">{c.getValue()}</span> }),
  helper.accessor("message", {
    header: "Message",
    enableSorting: false,
    cell: (c) => (
      <div className="wrap-anywhere">
        {c.getValue() ?? <span className="muted">(no message)</span>}
        <div>
          <Link className="muted" href={`/events/${c.row.original.id}`}>
            {c.row.original.recordId === null ? "Details" : `EventRecordID ${c.row.original.recordId}`} — record {c.row.original.position} of the upload (
            {c.row.original.format}), original text
          </Link>
        </div>
      </div>
    ),
  }),
]);

export function EventsTable(props: { rows: EventRow[]; total: number; page: number; size: number; sort: string; dir: "asc" | "desc" }) {
  return (
    <DataTable
      label="Events"
      columns={columns}
      data={props.rows}
      total={props.total}
      page={props.page}
      size={props.size}
      sort={props.sort}
      dir={props.dir}
      getRowId={(r) => r.id}
      empty="No events yet: upload a log on the Uploads page."
    />
  );
}
