import type { Metadata } from "next";
import Link from "next/link";
import { Time, ZoneHeading } from "@/components/time/TimeZone";
import { SafeText } from "@/components/SafeText";
import { can, requireUser } from "@/lib/auth/server";
import { visibleBidi } from "@/lib/text/bidi";
import { DETECTION_SPECS } from "@/lib/detections";
import { filterMacros, listSuppressions, suppressionListParams } from "@/lib/triage";
import { detectionUrl, suppressionUrl } from "@/lib/links/urls";
import { detectionChoices, LabelledInput, LabelledSelect } from "@/components/forms/labelled";
import { TableHead } from "@/components/TableHead";

export const metadata: Metadata = { title: "Suppressions" };
export const dynamic = "force-dynamic";

const STATE_CLASS = { active: "status-done", disabled: "muted", expired: "status-failed" } as const;

/** Every false-positive suppression, and each detection's `_filter` macro as it stands, ready to paste into Splunk. */
export default async function SuppressionsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requireUser("data:read");
  const p = suppressionListParams.parse(await searchParams);
  const [rows, macros] = await Promise.all([listSuppressions({ detectionId: p.detection, state: p.state, dest: p.dest }), filterMacros()]);
  const manage = can(user, "suppression:manage");
  return (
    <>
      <h1>Suppressions{p.dest ? <> that can apply to <SafeText text={p.dest} /></> : ""}</h1>
      <p className="muted">
        A suppression hides the results it matches (field names exact, values case-insensitive, <span className="mono">*</span> a wildcard), removes their
        risk everywhere and keeps future runs from emitting them. Disabled and expired ones apply to nothing.
        {manage && (
          <>
            {" "}
            Start from a result or a notable (&quot;Mark as false positive&quot;), or <Link href="/suppressions/new">create one</Link>.
          </>
        )}
      </p>
      <h2>Filter macros</h2>
      {macros.map((m) => (
        <section key={m.detectionId} className="panel" style={{ marginBottom: 8 }} aria-label={`Filter macro of ${m.detectionName}`}>
          <div>
            <Link href={detectionUrl(m.detectionId)}>{m.detectionName}</Link> — <span className="mono">{m.macroName}</span> ({m.active} active)
          </div>
          <pre className="raw" data-testid="filter-macro">
            {visibleBidi(m.definition)}
          </pre>
        </section>
      ))}
      <h2>All suppressions</h2>
      <form className="filters" method="get" role="search" aria-label="Filter suppressions">
        <LabelledSelect label="Detection" name="detection" defaultValue={p.detection ?? ""} options={detectionChoices(DETECTION_SPECS)}>
          <option value="">any</option>
        </LabelledSelect>
        <LabelledSelect label="State" name="state" defaultValue={p.state}>
          <option value="all">any</option>
          <option value="active">active</option>
          <option value="disabled">disabled</option>
          <option value="expired">expired</option>
        </LabelledSelect>
        <LabelledInput label="Can apply to host" name="dest" defaultValue={p.dest ?? ""} placeholder="any host" />
        <button type="submit">Filter</button>
      </form>
      <table className="data" aria-label="Suppressions">
        <TableHead columns={["#", "Detection", "Matches (SPL)", "Reason", "State", <ZoneHeading key="e">Expires</ZoneHeading>, <ZoneHeading key="c">Created</ZoneHeading>, <ZoneHeading key="l">Last changed</ZoneHeading>]} />
        <tbody>
          {rows.map((s) => (
            <tr key={s.id} data-testid="suppression-row">
              <td>
                <Link href={suppressionUrl(s.id)}>#{s.id}</Link>
              </td>
              <td>{s.detectionName}</td>
              <td className="mono wrap-anywhere"><SafeText text={s.spl} /></td>
              <td className="wrap-anywhere"><SafeText text={s.reason} /></td>
              <td className={STATE_CLASS[s.state]}>{s.state}</td>
              <td>{s.expiresAt ? <Time iso={s.expiresAt.toISOString()} zoneInHeading /> : <span className="muted">never</span>}</td>
              <td>
                <Time iso={s.createdAt.toISOString()} zoneInHeading /> {s.createdBy ?? ""}
              </td>
              <td>
                <Time iso={s.updatedAt.toISOString()} zoneInHeading /> {s.updatedBy ?? ""}
              </td>
            </tr>
          ))}
          {rows.length === 0 && (
            <tr>
              <td colSpan={8} className="muted">
                No suppressions.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </>
  );
}
