import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { Time } from "@/components/time/TimeZone";
import { SafeText } from "@/components/SafeText";
import { can, requireUser } from "@/lib/auth/server";
import { visibleBidi } from "@/lib/text/bidi";
import { specById } from "@/lib/detections";
import { getSuppression, groupFieldNames, previewSuppression } from "@/lib/triage";
import { PreviewPanel, SuppressionForm } from "../SuppressionForm";
import { SuppressionToggle } from "../SuppressionToggle";
import { detectionUrl, resultUrl } from "@/lib/links/urls";

export const dynamic = "force-dynamic";

type Props = { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Suppression #${(await params).id}` };
}

const STATE_CLASS = { active: "status-done", disabled: "muted", expired: "status-failed" } as const;
const utcInput = (d: Date | null) => (d ? d.toISOString().slice(0, 16) : "");

export default async function SuppressionPage({ params, searchParams }: Props) {
  const user = await requireUser("data:read");
  const s = await getSuppression((await params).id);
  if (!s) notFound();
  const spec = specById(s.detectionId);
  const query = await searchParams;
  // What it hides on its own (others aside): for an active one, what it removes now; otherwise what enabling would.
  const effect = await previewSuppression({ detectionId: s.detectionId, match: s.match }, { excludeId: s.id });
  const manage = can(user, "suppression:manage");
  const resultsLink = `/results?${new URLSearchParams({ detection: s.detectionId, suppressed: "show", ...(s.match.dest && !s.match.dest.includes("*") ? { dest: s.match.dest } : {}) })}`;
  return (
    <>
      <h1>Suppression #{s.id}</h1>
      {query.saved === "created" && (
        <p className="status-done" role="status">
          Saved. Matching results are hidden and their risk no longer counts.
        </p>
      )}
      <dl className="facts">
        <dt>Detection</dt>
        <dd>
          <Link href={detectionUrl(s.detectionId)}>{s.detectionName}</Link>
        </dd>
        <dt>State</dt>
        <dd>
          <span className={STATE_CLASS[s.state]} data-testid="suppression-state">
            {s.state}
          </span>{" "}
          {manage && s.state !== "expired" && <SuppressionToggle id={s.id} enabled={s.enabled} />}
        </dd>
        <dt>Matches</dt>
        <dd>
          <pre className="raw" aria-label="Suppression as SPL">
            {visibleBidi(s.spl)}
          </pre>
        </dd>
        <dt>Reason</dt>
        <dd className="wrap-anywhere"><SafeText text={s.reason} /></dd>
        <dt>Expires</dt>
        <dd>{s.expiresAt ? <Time iso={s.expiresAt.toISOString()} /> : "never"}</dd>
        <dt>Created</dt>
        <dd>
          <Time iso={s.createdAt.toISOString()} /> by {s.createdBy ?? "—"}
          {s.sourceResultId && (
            <>
              {" "}
              from <Link href={resultUrl(s.sourceResultId)}>result #{s.sourceResultId}</Link>
            </>
          )}
        </dd>
        <dt>Last changed</dt>
        <dd>
          <Time iso={s.updatedAt.toISOString()} /> by {s.updatedBy ?? "—"}
        </dd>
      </dl>
      <h2>{s.state === "active" ? "What it hides now" : "What it would hide if it applied"}</h2>
      <PreviewPanel preview={effect} />
      <p>
        <Link href={resultsLink}>See the results of this detection, suppressed ones included</Link>
      </p>
      {manage && spec && (
        <>
          <h2>Edit</h2>
          <SuppressionForm
            mode="edit"
            id={s.id}
            detectionId={s.detectionId}
            groupFields={groupFieldNames(spec)}
            match={s.match}
            reason={s.reason}
            expiresAt={utcInput(s.expiresAt)}
            initialPreview={effect}
            version={s.updatedAt.toISOString()}
          />
        </>
      )}
    </>
  );
}
