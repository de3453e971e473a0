import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { requireUser } from "@/lib/auth/server";
import { DETECTION_SPECS } from "@/lib/detections";
import { draftForDetection, draftFromNotable, draftFromResult, previewSuppression } from "@/lib/triage";
import { SuppressionForm } from "../SuppressionForm";
import { detectionUrl, newSuppressionUrl, notableUrl, resultUrl } from "@/lib/links/urls";

export const metadata: Metadata = { title: "Mark as false positive" };
export const dynamic = "force-dynamic";

type SearchParams = Promise<Record<string, string | string[] | undefined>>;
const one = (v: string | string[] | undefined) => (typeof v === "string" ? v : undefined);

/**
 * "Mark as false positive": a suppression pre-filled from a result (?result=) or a notable (?notable=) with the
 * row's group fields, or an empty one for a detection (?detection=).
 */
export default async function NewSuppressionPage({ searchParams }: { searchParams: SearchParams }) {
  await requireUser("suppression:manage");
  const query = await searchParams;
  const result = one(query.result);
  const notable = one(query.notable);
  const detection = one(query.detection);
  const draft = result ? await draftFromResult(result) : notable ? await draftFromNotable(notable) : detection ? draftForDetection(detection) : null;

  if (!draft) {
    if (result || notable || detection) notFound();
    return (
      <>
        <h1>New suppression</h1>
        <p>
          Usually you start from a result or a notable (&quot;Mark as false positive&quot;). Or pick the detection to suppress results of:
        </p>
        <ul>
          {DETECTION_SPECS.map((s) => (
            <li key={s.id}>
              <Link href={newSuppressionUrl({ detection: s.id })}>{s.name}</Link>
            </li>
          ))}
        </ul>
      </>
    );
  }

  const initialPreview = Object.keys(draft.match).length ? await previewSuppression({ detectionId: draft.detectionId, match: draft.match }) : null;
  const rowValues = Object.fromEntries(Object.entries(draft.fields).map(([k, v]) => [k, String(v ?? "")]));
  return (
    <>
      <h1>Mark as false positive</h1>
      <p>
        A suppression of <Link href={detectionUrl(draft.detectionId)}>{draft.detectionName}</Link>
        {draft.resultId && (
          <>
            , pre-filled from <Link href={resultUrl(draft.resultId)}>result #{draft.resultId}</Link>
          </>
        )}
        {draft.notableId && (
          <>
            {" "}
            (<Link href={notableUrl(draft.notableId)}>notable #{draft.notableId}</Link>)
          </>
        )}
        . Saving hides every result it matches (still viewable with &quot;show suppressed&quot;), removes their risk from every rollup and
        drilldown at once, and stops future runs from emitting them. Disabling it brings everything back.
      </p>
      {Object.keys(draft.fields).length > 0 && (
        <details>
          <summary>The result row</summary>
          <pre className="raw">{JSON.stringify(draft.fields, null, 2)}</pre>
        </details>
      )}
      <SuppressionForm
        mode="create"
        detectionId={draft.detectionId}
        groupFields={draft.groupFields}
        match={draft.match}
        rowValues={rowValues}
        resultId={draft.resultId}
        initialPreview={initialPreview}
      />
    </>
  );
}
