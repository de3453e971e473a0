// Detection results: the ESCU row exactly as Splunk shows it, and beside it what we add (kind of change,
// module, image, DLL, architecture), with the contributing events one click away.
import Link from "next/link";
import { can, getCurrentUser } from "@/lib/auth/server";
import type { ResultJson } from "@/lib/detections";
import type { ConfigurationChangeKind, StoredEnrichment } from "@/lib/detections/enrichment";
import { Time, ZoneHeading } from "./time/TimeZone";
import { SafeText } from "./SafeText";
import { newSuppressionUrl, notableUrl, resultUrl } from "@/lib/links/urls";
import { TableHead } from "./TableHead";

const KIND_LABEL: Record<ConfigurationChangeKind, string> = {
  module_added: "module added",
  module_removed: "module removed",
  http_logging_disabled: "HTTP logging disabled",
  other_configuration_change: "configuration change",
};

function Enrichment({ enrichment }: { enrichment: StoredEnrichment }) {
  const changes = enrichment.changes ?? [];
  const failures = enrichment.failures ?? [];
  const processes = enrichment.processes ?? [];
  return (
    <ul className="plain">
      {changes.map((c, i) => (
        <li key={`c${i}`} className={c.kind === "other_configuration_change" ? "muted" : "status-processing"}>
          {KIND_LABEL[c.kind] ?? c.kind}
          {c.scope ? <> (<SafeText text={c.scope} />)</> : ""}
          {c.module ? (
            <>
              : <SafeText className="mono" text={c.module} />
            </>
          ) : null}
          {c.image ? (
            <>
              {" "}
              → <SafeText className="mono wrap-anywhere" text={c.image} />
            </>
          ) : null}
        </li>
      ))}
      {processes.map((p, i) => (
        <li key={`p${i}`} className="status-processing">
          <SafeText className="mono wrap-anywhere" text={p.commandLine ?? p.image ?? "?"} />
          {p.parentImage ? (
            <>
              {" "}
              (parent <SafeText className="mono wrap-anywhere" text={p.parentImage} />)
            </>
          ) : null}
        </li>
      ))}
      {failures.map((f, i) => (
        <li key={`f${i}`} className="status-failed">
          <SafeText className="mono wrap-anywhere" text={f.moduleDll} /> ({f.processorArchitecture ?? "?"}
          {f.errorName ? `, ${f.errorName}` : ""})
        </li>
      ))}
    </ul>
  );
}

/** `pager`, when given, replaces the "Showing n of total" note (a page that pages the results itself). */
export async function ResultsTable({ rows, total, detectionNames, pager }: { rows: ResultJson[]; total: number; detectionNames: Record<string, string>; pager?: React.ReactNode }) {
  // "Mark as false positive" only for those who may (the page behind it checks again).
  const canSuppress = can(await getCurrentUser(), "suppression:manage");
  return (
    <>
      <table className="data" aria-label="Detection results">
        <TableHead columns={["Detection", "ESCU result row", "What it means", <ZoneHeading key="r">Run</ZoneHeading>, "Risk", "Events"]} />
        <tbody>
          {rows.map((r) => (
            <tr key={r.id} className={r.suppressed ? "muted" : undefined} data-testid="result-row">
              <td>
                {detectionNames[r.detectionId] ?? r.detectionId}
                {r.suppressed && <div className="badge">suppressed</div>}
              </td>
              <td>
                <dl className="facts mono">
                  {Object.entries(r.fields).map(([k, v]) => (
                    <div key={k} style={{ display: "contents" }}>
                      <dt>{k}</dt>
                      <dd className="wrap-anywhere"><SafeText text={String(v)} /></dd>
                    </div>
                  ))}
                </dl>
              </td>
              <td>
                <Enrichment enrichment={r.enrichment} />
              </td>
              <td>
                <Time iso={r.runTime} zoneInHeading />
              </td>
              <td>{r.suppressed ? <s>{r.riskScore}</s> : r.riskScore}</td>
              <td>
                <Link href={resultUrl(r.id)}>{r.count} event{r.count === 1 ? "" : "s"}</Link>
                {r.notableId && (
                  <div>
                    <Link href={notableUrl(r.notableId)}>notable #{r.notableId}</Link>
                  </div>
                )}
                {canSuppress && !r.suppressed && (
                  <div>
                    <Link href={newSuppressionUrl({ result: r.id })}>Mark as false positive</Link>
                  </div>
                )}
              </td>
            </tr>
          ))}
          {rows.length === 0 && (
            <tr>
              <td colSpan={6} className="muted">
                No detection results.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      {pager ?? (total > rows.length && <p className="muted">Showing {rows.length} of {total} results.</p>)}
    </>
  );
}
