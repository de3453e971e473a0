import type { Metadata } from "next";
import type { StoredEnrichment } from "@/lib/detections/enrichment";
import { splFieldOrder } from "@/lib/detections";
import { riskArithmetic } from "@/lib/detections/rba";
import { riskFactorLabel } from "@/lib/detections/risk-factors";
import { CHAIN_LINKS, CHAIN_RULE, hostChains } from "@/lib/risk/chains";
import Link from "next/link";
import { notFound } from "next/navigation";
import { SimpleTable } from "@/components/SimpleTable";
import { SafeText } from "@/components/SafeText";
import { Time, ZoneHeading } from "@/components/time/TimeZone";
import { can, requireUser } from "@/lib/auth/server";
import { assignableOwners, dispositionLabel, getNotable, statusLabel } from "@/lib/triage";
import { CommentForm, NotableUpdateForm } from "../NotableForms";
import { detectionUrl, hostUrl, newSuppressionUrl, resultUrl, suppressionsUrl } from "@/lib/links/urls";
import { TableHead } from "@/components/TableHead";

export const dynamic = "force-dynamic";

type Props = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Notable #${(await params).id}` };
}

/** A change's fields in a fixed order (the audit log stores them as jsonb, which reorders keys). */
function describe(v: unknown): string {
  if (!v || typeof v !== "object") return "";
  const o = v as Record<string, unknown>;
  return (["status", "owner", "disposition"] as const)
    .filter((k) => k in o)
    .map((k) => `${k}: ${k === "status" ? statusLabel(String(o[k])) : k === "disposition" ? dispositionLabel(o[k] as string | null) : String(o[k] ?? "—")}`)
    .join(", ");
}

export default async function NotablePage({ params }: Props) {
  const user = await requireUser("data:read");
  const n = await getNotable((await params).id);
  if (!n) notFound();
  const canTriage = can(user, "notable:triage");
  const owners = canTriage ? await assignableOwners() : [];
  const fields = splFieldOrder(n.detectionId, (n.result?.fields ?? {}) as Record<string, unknown>);
  const finding = (n.result?.enrichment as StoredEnrichment | null | undefined)?.finding;
  // A module chain notable: its links, read again from the host's events (the chain that starts at its time).
  const chain = n.incidentRule === CHAIN_RULE && n.dest ? (await hostChains(n.dest.toLowerCase())).find((c) => c.start.getTime() === n.time.getTime()) : undefined;
  return (
    <>
      <h1>
        Notable #{String(n.id)}: <SafeText text={n.title} />
      </h1>
      {finding?.text && (
        <p className={`lead wrap-anywhere finding-${finding.kind}`} data-testid="notable-what">
          {finding.text}
        </p>
      )}
      {n.suppressed && (
        <p className="callout">
          A suppression now hides this notable&apos;s result (a known false positive): its risk no longer counts and it has left the open queue.{" "}
          <Link href={suppressionsUrl({ detection: n.detectionId, dest: n.dest ?? "" })}>Suppressions</Link>
        </p>
      )}
      <dl className="facts">
        <dt>Time</dt>
        <dd>
          <Time iso={n.time.toISOString()} />
        </dd>
        <dt>dest</dt>
        <dd>{n.dest ? <Link href={hostUrl(n.dest.toLowerCase())}><SafeText text={n.dest} /></Link> : "—"}</dd>
        {n.incidentRule === CHAIN_RULE ? (
          <>
            <dt>Correlation</dt>
            <dd>
              IIS module chain on the host&apos;s events: module added, then module load failure, w3wp.exe child process and account change, in order
              within the chain window
            </dd>
          </>
        ) : n.incidentRule ? (
          <>
            <dt>Risk incident rule</dt>
            <dd>
              {n.title} <span className="muted">(ES risk incident rule, over every risk event of the object in its window)</span>
            </dd>
          </>
        ) : (
          <>
            <dt>Detection</dt>
            <dd>
              <Link href={detectionUrl(n.detectionId)}>{n.detectionName}</Link>
            </dd>
          </>
        )}
        <dt>Severity / urgency</dt>
        <dd>
          <span className={`badge ${n.severity}`}>{n.severity}</span> / <span className={`badge ${n.urgency}`}>{n.urgency}</span>{" "}
          <span className="muted">(urgency from severity × the host&apos;s asset priority)</span>
        </dd>
        <dt>Status</dt>
        <dd data-testid="notable-status">{statusLabel(n.status)}</dd>
        <dt>Owner</dt>
        <dd>{n.owner?.username ?? "unassigned"}</dd>
        <dt>Disposition</dt>
        <dd>{dispositionLabel(n.disposition)}</dd>
        <dt>Risk</dt>
        <dd>{n.suppressed ? <s>{n.risk}</s> : n.risk}</dd>
        {n.riskBreakdown && n.riskBreakdown.factors.length > 0 && (
          <>
            <dt>Risk score</dt>
            <dd data-testid="notable-risk-arithmetic">
              <div>{riskArithmetic(n.riskBreakdown.base, n.riskBreakdown.factors)}</div>
              <ul className="plain">
                {n.riskBreakdown.factors.map((f) => (
                  <li key={f.factor} className="wrap-anywhere">
                    +{f.points} {riskFactorLabel(f.factor)}: <SafeText text={f.why} />
                  </li>
                ))}
              </ul>
            </dd>
          </>
        )}
        {n.result && (
          <>
            <dt>Result</dt>
            <dd>
              <Link href={resultUrl(String(n.resultId))}>
                result #{String(n.resultId)} ({n.result.count} event{n.result.count === 1 ? "" : "s"})
              </Link>
              {can(user, "suppression:manage") && !n.suppressed && (
                <>
                  {" · "}
                  <Link href={newSuppressionUrl({ notable: String(n.id) })}>Mark as false positive</Link>
                </>
              )}
            </dd>
          </>
        )}
      </dl>
      {n.result ? (
        <>
          <h2>ESCU result row</h2>
          <dl className="facts mono">
            {Object.entries(fields).map(([k, v]) => (
              <div key={k} style={{ display: "contents" }}>
                <dt>{k}</dt>
                <dd className="wrap-anywhere">{String(v)}</dd>
              </div>
            ))}
          </dl>
        </>
      ) : chain ? (
        <>
          <h2>Chain links ({chain.links.length})</h2>
          <ol data-testid="chain-links">
            {chain.links.map((l) => (
              <li key={l.id}>
                <Time iso={l.time.toISOString()} /> {CHAIN_LINKS[l.kind]} (event {l.eventCode}): <SafeText text={l.detail} className="mono wrap-anywhere" />
              </li>
            ))}
          </ol>
        </>
      ) : (
        <>
          <h2>Contributing risk events ({n.contributingRisk.length})</h2>
          <SimpleTable
            label="Contributing risk events"
            headers={[<ZoneHeading key="t">_time</ZoneHeading>, "search_name", "risk_score", "risk_message", "Tactics"]}
            rows={n.contributingRisk.map((r) => ({
              key: String(r.id),
              cells: [
                <Time key="t" iso={r.time.toISOString()} zoneInHeading />,
                r.searchName,
                r.riskScore,
                <Link key="m" href={resultUrl(String(r.resultId))} className="wrap-anywhere">
                  <SafeText text={r.riskMessage} />
                </Link>,
                r.mitreTactics.join(", "),
              ],
            }))}
          />
        </>
      )}
      {canTriage && (
        <>
          <h2>Workflow</h2>
          <NotableUpdateForm id={String(n.id)} owners={owners} current={{ status: n.status, ownerId: n.ownerId, disposition: n.disposition }} />
        </>
      )}
      <h2>Comments</h2>
      <ul className="plain">
        {n.comments.map((c) => (
          <li key={String(c.id)} className="panel" style={{ marginBottom: 6 }} data-testid="notable-comment">
            <div className="muted">
              {c.author?.username ?? "deleted user"} · <Time iso={c.createdAt.toISOString()} />
            </div>
            <div className="wrap-anywhere" style={{ whiteSpace: "pre-wrap" }}>
              {c.body}
            </div>
          </li>
        ))}
        {n.comments.length === 0 && <li className="muted">No comments yet.</li>}
      </ul>
      {can(user, "notable:comment") && <CommentForm id={String(n.id)} />}
      <h2>History</h2>
      <table className="data" aria-label="Notable history">
        <TableHead columns={[<ZoneHeading key="w">When</ZoneHeading>, "Who", "What"]} />
        <tbody>
          {n.history.map((h) => (
            <tr key={String(h.id)}>
              <td>
                <Time iso={h.at.toISOString()} zoneInHeading />
              </td>
              <td>{h.actorName}</td>
              <td>
                {h.action === "notable.comment" ? "commented" : `${describe(h.before)} → ${describe(h.after)}`}
                {(h.after as { bulk?: boolean } | null)?.bulk ? <span className="muted"> (bulk)</span> : null}
              </td>
            </tr>
          ))}
          {n.history.length === 0 && (
            <tr>
              <td colSpan={3} className="muted">
                Untouched since it was created.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </>
  );
}
