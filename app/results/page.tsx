import type { Metadata } from "next";
import Link from "next/link";
import { ResultsTable } from "@/components/ResultsTable";
import { SafeText } from "@/components/SafeText";
import { requireUser } from "@/lib/auth/server";
import { visibleBidi } from "@/lib/text/bidi";
import { DETECTION_SPECS, listResults, resultRowJson, specById } from "@/lib/detections";
import { resultListParams } from "@/lib/detections/result-list";
import { detectionNames } from "@/lib/views/detection-names";
import { resultsUrl, uploadUrl } from "@/lib/links/urls";
import { detectionChoices, LabelledInput, LabelledSelect } from "@/components/forms/labelled";

export const metadata: Metadata = { title: "Detection results" };
export const dynamic = "force-dynamic";

/**
 * ESCU drilldown "View the detection results for $dest$": `%original_detection_search% | search dest = "$dest$"`
 * between info_min_time and info_max_time — here the stored results of that search, for one dest and window.
 */
export default async function ResultsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireUser("data:read");
  const p = resultListParams.parse(await searchParams);
  const size = p.size;
  const { rows, total } = await listResults({ detectionId: p.detection, dest: p.dest, from: p.earliest, to: p.latest, includeSuppressed: p.suppressed === "show", uploadId: p.upload, limit: size, offset: (p.page - 1) * size });
  const names = detectionNames();
  const detection = p.detection ? specById(p.detection) : undefined;
  return (
    <>
      <h1>Detection results{p.dest ? <> for <SafeText text={p.dest} /></> : ""}</h1>
      {detection && p.dest && (
        <pre className="raw" aria-label="Equivalent Splunk search">
          {`${detection.search.trim()} | search  dest = "${visibleBidi(p.dest)}"`}
        </pre>
      )}
      <form className="filters" method="get" role="search" aria-label="Filter results">
        <LabelledSelect label="Detection" name="detection" defaultValue={p.detection ?? ""} options={detectionChoices(DETECTION_SPECS)}>
          <option value="">any</option>
        </LabelledSelect>
        <LabelledInput label="dest" name="dest" defaultValue={p.dest ?? ""} placeholder="any host" />
        <LabelledInput label="Earliest (UTC)" name="earliest" defaultValue={p.earliest?.toISOString() ?? ""} placeholder="2026-11-01T00:00:00Z" />
        <LabelledInput label="Latest (UTC)" name="latest" defaultValue={p.latest?.toISOString() ?? ""} placeholder="2026-11-02T00:00:00Z" />
        <LabelledSelect label="Suppressed results" name="suppressed" defaultValue={p.suppressed}>
          <option value="hide">hidden</option>
          <option value="show">shown</option>
        </LabelledSelect>
        {p.upload && <input type="hidden" name="upload" value={p.upload} />}
        <button type="submit">Filter</button>
      </form>
      {p.upload && (
        <p className="callout">
          Results that the events of <Link href={uploadUrl(p.upload)}>one upload</Link> are part of. <Link href={resultsUrl()}>All results</Link>
        </p>
      )}
      <ResultsTable rows={rows.map(resultRowJson)} total={total} detectionNames={names} />
      <nav className="pager" aria-label="Result pages">
        {p.page > 1 && <a href={resultsUrl({ ...p, page: p.page - 1 })}>← Previous</a>}
        <span>
          Page {p.page} of {Math.max(1, Math.ceil(total / size))}
        </span>
        {p.page * size < total && <a href={resultsUrl({ ...p, page: p.page + 1 })}>Next →</a>}
      </nav>
    </>
  );
}
