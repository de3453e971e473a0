// Results enriched before findings existed (enrichment without `finding`) get theirs, computed from the changes or
// failures they already hold: workers run this at start, a batch at a time, until none is left. Idempotent, and
// safe with several workers (each batch is one UPDATE of rows that still lack a finding).
import { pgPool } from "../db/pg";
import { ENRICHMENT_KEYS, findingOf, type ConfigurationChange, type ModuleLoadFailure } from "./enrichment";

const { changes: CHANGES, failures: FAILURES, finding: FINDING } = ENRICHMENT_KEYS;

const BATCH = 1000;

/** Adds the missing findings; returns how many results it updated. */
export async function backfillFindings(): Promise<number> {
  let updated = 0;
  for (;;) {
    const { rows } = await pgPool().query<{ id: string; changes: ConfigurationChange[] | null; failures: ModuleLoadFailure[] | null }>(
      `SELECT id::text, enrichment -> '${CHANGES}' AS changes, enrichment -> '${FAILURES}' AS failures FROM detection_results
       WHERE finding_kind IS NULL AND (jsonb_typeof(enrichment -> '${CHANGES}') = 'array' OR jsonb_typeof(enrichment -> '${FAILURES}') = 'array')
       ORDER BY id LIMIT ${BATCH}`,
    );
    if (rows.length === 0) return updated;
    const findings = rows.map((r) => JSON.stringify(findingOf(r.failures ? { failures: r.failures } : { changes: r.changes ?? [] })));
    const { rowCount } = await pgPool().query(
      `UPDATE detection_results d SET enrichment = d.enrichment || jsonb_build_object('${FINDING}', x.finding)
       FROM unnest($1::bigint[], $2::jsonb[]) AS x(id, finding) WHERE d.id = x.id AND d.finding_kind IS NULL`,
      [rows.map((r) => r.id), findings],
    );
    updated += rowCount ?? 0;
    if (rows.length < BATCH) return updated;
  }
}
