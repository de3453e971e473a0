import type { Metadata } from "next";
import { can, requireUser } from "@/lib/auth/server";
import { DETECTION_SPECS } from "@/lib/detections";
import { FINDING_KIND_NAMES, FINDING_KINDS } from "@/lib/detections/enrichment";
import { assignableOwners, DISPOSITION_LABELS, DISPOSITIONS, listNotables, NOTABLE_STATUSES, notableListParams, notableQuery, STATUS_LABELS, URGENCIES } from "@/lib/triage";
import { detectionNames } from "@/lib/views/detection-names";
import { NotablesQueue } from "./NotablesQueue";

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
        <label>
          Status
          <select name="status" defaultValue={p.status}>
            <option value="open">open (new, in progress, pending)</option>
            <option value="all">any</option>
            {NOTABLE_STATUSES.map((s) => (
              <option key={s} value={s}>
                {STATUS_LABELS[s]}
              </option>
            ))}
          </select>
        </label>
        <label>
          Urgency
          <select name="urgency" defaultValue={p.urgency ?? ""}>
            <option value="">any</option>
            {URGENCIES.map((u) => (
              <option key={u} value={u}>
                {u}
              </option>
            ))}
          </select>
        </label>
        <label>
          Owner
          <input name="owner" defaultValue={p.owner ?? ""} placeholder="me, none, or a username" list="notable-owners" />
          <datalist id="notable-owners">
            <option value="me" />
            <option value="none" />
            {owners.map((o) => (
              <option key={o.id} value={o.username} />
            ))}
          </datalist>
        </label>
        <label>
          Detection
          <select name="detection" defaultValue={p.detection ?? ""}>
            <option value="">any</option>
            {DETECTION_SPECS.filter((s) => s.deployment.notable).map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
            <option value="risk_incident">Risk incident rules (ES)</option>
          </select>
        </label>
        <label>
          dest
          <input name="dest" defaultValue={p.dest ?? ""} placeholder="any host" />
        </label>
        <label>
          Disposition
          <select name="disposition" defaultValue={p.disposition ?? ""}>
            <option value="">any</option>
            {DISPOSITIONS.map((d) => (
              <option key={d} value={d}>
                {DISPOSITION_LABELS[d]}
              </option>
            ))}
          </select>
        </label>
        <label>
          What happened
          <select name="finding" defaultValue={p.finding ?? ""}>
            <option value="">any</option>
            {FINDING_KIND_NAMES.map((k) => (
              <option key={k} value={k}>
                {FINDING_KINDS[k].label}
              </option>
            ))}
          </select>
        </label>
        <label>
          False positives (suppressed)
          <select name="suppressed" defaultValue={p.suppressed}>
            <option value="hide">hidden</option>
            <option value="show">shown</option>
          </select>
        </label>
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
