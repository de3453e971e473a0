import type { Metadata } from "next";
import { can, requireUser } from "@/lib/auth/server";
import { DETECTION_SPECS } from "@/lib/detections";
import { FINDING_KIND_NAMES, FINDING_KINDS } from "@/lib/detections/enrichment";
import { assignableOwners, DISPOSITION_LABELS, DISPOSITIONS, listNotables, NOTABLE_STATUSES, notableListParams, notableQuery, STATUS_LABELS, URGENCIES } from "@/lib/triage";
import { detectionNames } from "@/lib/views/detection-names";
import { NotablesQueue } from "./NotablesQueue";
import { choices, detectionChoices, LabelledInput, LabelledSelect } from "@/components/forms/labelled";

export const metadata: Metadata = { title: "Notables" };
export const dynamic = "force-dynamic";

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

/** Incident Review: the notables queue, every view a URL (filters, sort, page). */
export default async function NotablesPage({ searchParams }: { searchParams: SearchParams }) {
  const user = await requireUser("data:read");
  const p = notableListParams.parse(await searchParams);
  const canTriage = can(user, "notable:triage");
  const [{ rows, total }, owners] = await Promise.all([listNotables(p, user.id), canTriage ? assignableOwners() : Promise.resolve([])]);
  const names = detectionNames();
  return (
    <>
      <h1>Notables</h1>
      <form className="filters" method="get" role="search" aria-label="Filter notables">
        <LabelledSelect label="Status" name="status" defaultValue={p.status} options={choices(NOTABLE_STATUSES, (s) => STATUS_LABELS[s])}>
          <option value="open">open (new, in progress, pending)</option>
          <option value="all">any</option>
        </LabelledSelect>
        <LabelledSelect label="Urgency" name="urgency" defaultValue={p.urgency ?? ""} options={choices(URGENCIES)}>
          <option value="">any</option>
        </LabelledSelect>
        <LabelledInput label="Owner" name="owner" defaultValue={p.owner ?? ""} placeholder="me, none, or a username" list="notable-owners">
          <datalist id="notable-owners">
            <option value="me" />
            <option value="none" />
            {owners.map((o) => (
              <option key={o.id} value={o.username} />
            ))}
          </datalist>
        </LabelledInput>
        <LabelledSelect
          label="Detection"
          name="detection"
          defaultValue={p.detection ?? ""}
          options={[...detectionChoices(DETECTION_SPECS.filter((s) => s.deployment.notable)), { value: "risk_incident", label: "Risk incident rules (ES)" }]}
        >
          <option value="">any</option>
        </LabelledSelect>
        <LabelledInput label="dest" name="dest" defaultValue={p.dest ?? ""} placeholder="any host" />
        <LabelledSelect label="Disposition" name="disposition" defaultValue={p.disposition ?? ""} options={choices(DISPOSITIONS, (d) => DISPOSITION_LABELS[d])}>
          <option value="">any</option>
        </LabelledSelect>
        <LabelledSelect label="What happened" name="finding" defaultValue={p.finding ?? ""} options={choices(FINDING_KIND_NAMES, (k) => FINDING_KINDS[k].label)}>
          <option value="">any</option>
        </LabelledSelect>
        <LabelledSelect label="False positives (suppressed)" name="suppressed" defaultValue={p.suppressed}>
          <option value="hide">hidden</option>
          <option value="show">shown</option>
        </LabelledSelect>
        <input type="hidden" name="sort" value={p.sort} />
        <input type="hidden" name="dir" value={p.dir} />
        <input type="hidden" name="size" value={p.size} />
        <button type="submit">Filter</button>
      </form>
      <NotablesQueue
        key={notableQuery(p)}
        rows={rows}
        total={total}
        page={p.page}
        size={p.size}
        sort={p.sort}
        dir={p.dir}
        filter={notableQuery(p, { page: undefined, size: undefined, sort: undefined, dir: undefined })}
        detectionNames={names}
        owners={owners}
        canTriage={canTriage}
        canSuppress={can(user, "suppression:manage")}
      />
    </>
  );
}
