"use client";
// The notables queue: one page of notables (sorted and paginated on the server, state in the URL), rows that can
// be ticked, and the bulk action bar for the ticked rows or everything the view matches.
import { FINDING_KINDS, type FindingKind } from "@/lib/detections/enrichment";
import { createColumnHelper } from "@tanstack/react-table";
import Link from "next/link";
import { useActionState, useState } from "react";
import { DataTable, sortableColumns, type DataTableFeatures } from "@/components/data-table/DataTable";
import { FormOutcome } from "@/components/forms/fields";
import { Time, ZoneHeading } from "@/components/time/TimeZone";
import { SafeText } from "@/components/SafeText";
import { visibleBidi } from "@/lib/text/bidi";
import { dispositionLabel, statusLabel, type NotableSort } from "@/lib/triage/fields";
import { tablePageProps, type TablePage } from "@/components/data-table/table-page";
import type { NotableRow } from "@/lib/triage/notables";
import { bulkUpdateNotablesAction } from "./actions";
import type { ActionState } from "@/lib/actions/state";
import { ChangeFields } from "./NotableForms";
import { hostUrl, newSuppressionUrl, notableUrl } from "@/lib/links/urls";

const helper = createColumnHelper<DataTableFeatures, NotableRow>();
const sortable = sortableColumns<NotableSort>();

function columnsFor(detectionNames: Record<string, string>, canSuppress: boolean) {
  return helper.columns([
    sortable("time", helper.accessor("time", { header: () => <ZoneHeading>Time</ZoneHeading>, cell: (c) => <Time iso={c.getValue()} zoneInHeading /> })),
    sortable("urgency", helper.accessor("urgency", { header: "Urgency", cell: (c) => <span className={`badge ${c.getValue()}`}>{c.getValue()}</span> })),
    sortable(
      "finding",
      helper.accessor("findingKind", {
        header: "What",
        cell: (c) => (c.getValue() ? FINDING_KINDS[c.getValue() as FindingKind]?.label : <span className="muted">—</span>),
      }),
    ),
    sortable("title", helper.accessor("title", {
      header: "Title",
      cell: (c) => (
        <>
          <Link href={notableUrl(c.row.original.id)}>{c.getValue()}</Link>
          {c.row.original.what && (
            <div className={`wrap-anywhere finding-${c.row.original.findingKind}`} data-testid="notable-what">
              {c.row.original.what}
            </div>
          )}
          {c.row.original.suppressed && <div className="badge">suppressed</div>}
          {detectionNames[c.row.original.detectionId] && detectionNames[c.row.original.detectionId] !== c.getValue() && (
            <div className="muted">{detectionNames[c.row.original.detectionId]}</div>
          )}
        </>
      ),
    })),
    sortable("dest", helper.accessor("dest", {
      header: "dest",
      cell: (c) => (c.getValue() ? <Link href={hostUrl(c.getValue()!.toLowerCase())}><SafeText text={c.getValue()} /></Link> : "—"),
    })),
    sortable("status", helper.accessor("status", { header: "Status", cell: (c) => <span data-testid="notable-status">{statusLabel(c.getValue())}</span> })),
    sortable("owner", helper.accessor("owner", { header: "Owner", cell: (c) => c.getValue() ?? <span className="muted">unassigned</span> })),
    helper.accessor("disposition", { header: "Disposition", cell: (c) => dispositionLabel(c.getValue()) }),
    helper.accessor("comments", { header: "Comments" }),
    sortable("updated", helper.accessor("updatedAt", { header: () => <ZoneHeading>Updated</ZoneHeading>, cell: (c) => <Time iso={c.getValue()} zoneInHeading /> })),
    helper.display({
      id: "actions",
      header: "",
      cell: (c) =>
        canSuppress && !c.row.original.suppressed ? <Link href={newSuppressionUrl({ notable: c.row.original.id })}>Mark as false positive</Link> : null,
    }),
  ]);
}

export function NotablesQueue(
  props: TablePage<NotableRow, NotableSort> & {
    /** The view's query string (filters), for "all matching". */
    filter: string;
    detectionNames: Record<string, string>;
    owners: { id: string; username: string }[];
    canTriage: boolean;
    canSuppress: boolean;
  },
) {
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [state, action, pending] = useActionState<ActionState, FormData>(async (prev, form) => {
    const result = await bulkUpdateNotablesAction(prev, form);
    if (result.ok) setSelected(new Set());
    return result;
  }, {});
  const [scope, setScope] = useState<"selected" | "filter">("selected");
  const count = scope === "filter" ? props.total : selected.size;
  return (
    <>
      {props.canTriage && (
        <form action={action} className="panel filters" aria-label="Bulk action" style={{ marginBottom: 12 }}>
          <input type="hidden" name="ids" value={[...selected].join(",")} />
          <input type="hidden" name="filter" value={props.filter} />
          <fieldset style={{ border: 0, padding: 0, margin: 0, display: "flex", gap: 8, flexDirection: "column" }}>
            <legend className="muted" style={{ fontSize: 12 }}>
              Apply to
            </legend>
            <label style={{ flexDirection: "row", gap: 4 }}>
              <input type="radio" name="scope" value="selected" checked={scope === "selected"} onChange={() => setScope("selected")} /> the {selected.size} selected
            </label>
            <label style={{ flexDirection: "row", gap: 4 }}>
              <input type="radio" name="scope" value="filter" checked={scope === "filter"} onChange={() => setScope("filter")} /> all {props.total} matching this view
            </label>
          </fieldset>
          <ChangeFields owners={props.owners} />
          <button type="submit" className="primary" disabled={pending || count === 0}>
            Apply to {count} notable{count === 1 ? "" : "s"}
          </button>
          <FormOutcome inline ok={state.ok} error={state.error} />
        </form>
      )}
      <DataTable
        label="Notables"
        columns={columnsFor(props.detectionNames, props.canSuppress)}
        {...tablePageProps(props)}
        empty="No notables match."
        selection={props.canTriage ? { selected, onChange: setSelected, rowLabel: (r) => `notable ${r.id} (${r.dest ? visibleBidi(r.dest) : "no dest"})` } : undefined}
      />
    </>
  );
}
