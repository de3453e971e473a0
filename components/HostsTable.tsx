"use client";
// The fleet: one row per host, sorted/filtered/paginated on the server (state in the URL).
import { createColumnHelper } from "@tanstack/react-table";
import Link from "next/link";
import { FINDING_KINDS, type FindingKind } from "@/lib/detections/enrichment";
import type { HostRow, HostSort } from "@/lib/hosts/queries";
import { INCIDENT_RULES } from "@/lib/risk/incident-rules";
import { DataTable, sortableColumns, type DataTableFeatures } from "./data-table/DataTable";
import { tablePageProps, type TablePage } from "./data-table/table-page";
import { ChannelActivityList } from "./ChannelActivityList";
import { SafeText } from "./SafeText";
import { Time, ZoneHeading } from "./time/TimeZone";
import { hostUrl, resultsUrl, riskUrl } from "@/lib/links/urls";

const helper = createColumnHelper<DataTableFeatures, HostRow>();
const sortable = sortableColumns<HostSort>();

function columnsFor(detectionNames: Record<string, string>, enableLogHelp: string, notIisHelp: string, quietHours: number) {
  return helper.columns([
    sortable("host", helper.accessor("id", {
      header: "Host",
      cell: (c) => (
        <Link href={hostUrl(c.getValue())} className="host-name">
          <SafeText text={c.row.original.name} />
        </Link>
      ),
    })),
    sortable("finding", helper.accessor("topFinding", {
      header: "Top finding",
      // Why the host is where it is on the default sort: its most serious finding (backdoors first).
      cell: (c) => {
        const kind = c.getValue() as FindingKind | null;
        return kind ? <span className={`finding-${kind}`}>{FINDING_KINDS[kind].label}</span> : <span className="muted">—</span>;
      },
    })),
    sortable("risk24h", helper.accessor("risk24h", { header: "Risk 24 h", cell: (c) => <RiskCell value={c.getValue()} host={c.row.original.id} /> })),
    sortable("risk7d", helper.accessor("risk7d", { header: "Risk 7 d", cell: (c) => <RiskCell value={c.getValue()} host={c.row.original.id} /> })),
    sortable("openNotables", helper.accessor("openNotables", { header: "Open notables" })),
    sortable("results", helper.accessor("results", {
      header: "Results by detection",
      cell: (c) => {
        const by = Object.entries(c.row.original.resultsByDetection);
        if (by.length === 0) return <span className="muted">0</span>;
        return (
          <ul className="plain">
            {by.map(([id, n]) => (
              <li key={id}>
                <Link href={resultsUrl({ detection: id, dest: c.row.original.id })}>
                  {n} × {detectionNames[id] ?? id}
                </Link>
              </li>
            ))}
          </ul>
        );
      },
    })),
    sortable("firstEvent", helper.accessor("firstEvent", { header: () => <ZoneHeading>First event</ZoneHeading>, cell: (c) => <Time iso={c.getValue()} zoneInHeading /> })),
    sortable("lastEvent", helper.accessor("lastEvent", { header: () => <ZoneHeading>Last event</ZoneHeading>, cell: (c) => <Time iso={c.getValue()} zoneInHeading /> })),
    helper.accessor("modules", {
      header: "IIS modules seen",
      cell: (c) => {
        const { modules, moduleCount, id } = c.row.original;
        if (moduleCount === 0) return <span className="muted">—</span>;
        return (
          <span className="mono wrap-anywhere">
            <SafeText text={modules.join(", ")} />
            {moduleCount > modules.length && (
              <>
                {", "}
                <Link href={hostUrl(id)}>+ {(moduleCount - modules.length).toLocaleString()} more</Link>
              </>
            )}
          </span>
        );
      },
    }),
    helper.accessor("channels", {
      header: () => <ZoneHeading>Last event per channel</ZoneHeading>,
      // Measured against the view's "as of" time, not the clock (lib/hosts/channels.ts).
      cell: (c) => <ChannelActivityList channels={c.getValue()} quietHours={quietHours} />,
    }),
    helper.accessor("iisConfigEvents", {
      header: "IIS config log",
      cell: (c) =>
        c.getValue() > 0 ? (
          <span className="status-done">collected</span>
        ) : c.row.original.iisEvents === 0 ? (
          // No event of IIS at all: not an IIS server, so there is no IIS configuration log to miss.
          <span className="muted" title={notIisHelp}>
            — not IIS
          </span>
        ) : (
          <span className="status-failed" title={enableLogHelp}>
            ⚠ missing
          </span>
        ),
    }),
  ]);
}

function RiskCell({ value, host }: { value: number; host: string }) {
  if (value === 0) return <span className="muted">0</span>;
  return (
    <Link href={riskUrl(host)} className={value > INCIDENT_RULES.scoreOver24h.threshold ? "error" : undefined}>
      {value}
    </Link>
  );
}

export function HostsTable(props: TablePage<HostRow, HostSort> & { detectionNames: Record<string, string>; enableLogHelp: string; notIisHelp: string; quietHours: number }) {
  return <DataTable label="Hosts" columns={columnsFor(props.detectionNames, props.enableLogHelp, props.notIisHelp, props.quietHours)} {...tablePageProps(props)} empty="No hosts match." />;
}
