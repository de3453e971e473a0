import type { Metadata } from "next";
import Link from "next/link";
import { Time, ZoneHeading } from "@/components/time/TimeZone";
import { requireUser } from "@/lib/auth/server";
import { auditActions, auditFilterParams, listAudit } from "@/lib/audit/queries";
import { auditExportUrl, auditUrl } from "@/lib/links/urls";
import { LabelledInput } from "@/components/forms/labelled";
import { TableHead } from "@/components/TableHead";

export const metadata: Metadata = { title: "Audit log" };
export const dynamic = "force-dynamic";

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

/** One `key: value` line per field (values as JSON), or the JSON itself when it is not an object. */
function fields(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v !== "object" || Array.isArray(v)) return JSON.stringify(v);
  return Object.entries(v)
    .map(([k, x]) => `${k}: ${typeof x === "string" ? x : JSON.stringify(x)}`)
    .join("\n");
}
const dateInput = (d?: Date) => (d ? d.toISOString().slice(0, 16) : "");

export default async function AuditPage({ searchParams }: { searchParams: SearchParams }) {
  await requireUser("audit:read");
  const f = auditFilterParams.parse(await searchParams);
  const [{ rows, total }, actions] = await Promise.all([listAudit(f), auditActions()]);
  const pages = Math.max(1, Math.ceil(total / f.size));
  return (
    <>
      <h1>Audit log</h1>
      <form className="filters" method="get" role="search" aria-label="Filter the audit log">
        <LabelledInput label="Actor" name="actor" defaultValue={f.actor ?? ""} placeholder="any" />
        <LabelledInput label="Action" name="action" defaultValue={f.action ?? ""} placeholder="e.g. auth. or user.update" list="audit-actions">
          <datalist id="audit-actions">
            {actions.map((a) => (
              <option key={a} value={a} />
            ))}
          </datalist>
        </LabelledInput>
        <LabelledInput label="Target type" name="targetType" defaultValue={f.targetType ?? ""} placeholder="any" size={10} />
        <LabelledInput label="Target id" name="targetId" defaultValue={f.targetId ?? ""} placeholder="any" size={12} />
        <LabelledInput label="Address" name="address" defaultValue={f.address ?? ""} placeholder="any" size={14} />
        <LabelledInput label="From (UTC)" name="from" type="datetime-local" defaultValue={dateInput(f.from)} />
        <LabelledInput label="To (UTC)" name="to" type="datetime-local" defaultValue={dateInput(f.to)} />
        <button type="submit">Filter</button>
        <Link href={auditUrl()}>Clear</Link>
        <a href={auditExportUrl(f)} download>
          Export CSV
        </a>
      </form>
      <p className="muted">
        {total.toLocaleString()} entr{total === 1 ? "y" : "ies"}; newest first. Entries are never changed or deleted.
      </p>
      <table className="data" aria-label="Audit log">
        <TableHead columns={[<ZoneHeading key="w">When</ZoneHeading>, "Actor", "Action", "Target", "Before", "After", "Address"]} />
        <tbody>
          {rows.map((r) => (
            <tr key={String(r.id)}>
              <td>
                <Time iso={r.at.toISOString()} millis zoneInHeading />
              </td>
              <td className="wrap-anywhere">{r.actorName ?? "—"}</td>
              <td className="mono">{r.action}</td>
              <td className="wrap-anywhere">{r.targetType ? `${r.targetType} ${r.targetId ?? ""}` : "—"}</td>
              <td>{r.before !== null && <pre className="raw">{fields(r.before)}</pre>}</td>
              <td>{r.after !== null && <pre className="raw">{fields(r.after)}</pre>}</td>
              <td className="mono">{r.address ?? "—"}</td>
            </tr>
          ))}
          {rows.length === 0 && (
            <tr>
              <td colSpan={7} className="muted">
                Nothing matches.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      {pages > 1 && (
        <nav className="pager" aria-label="Pages">
          {f.page > 1 && <Link href={auditUrl({ ...f, page: f.page - 1 })}>Previous</Link>}
          <span>
            Page {f.page} of {pages}
          </span>
          {f.page < pages && <Link href={auditUrl({ ...f, page: f.page + 1 })}>Next</Link>}
        </nav>
      )}
    </>
  );
}
