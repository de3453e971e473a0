// Results enriched before findings existed (enrichment without `finding`) get theirs, computed from the changes or
// failures they already hold: workers run this at start, a batch at a time, until none is left. Idempotent, and
// safe with several workers (each batch is one UPDATE of rows that still lack a finding).
import { execute, query, raw, sql } from "../db/sql";
import { ENRICHMENT_KEYS, findingOf, type ConfigurationChange, type ModuleLoadFailure } from "./enrichment";

// The keys as SQL string literals (the code's own constants).
const [CHANGES, FAILURES, FINDING] = [ENRICHMENT_KEYS.changes, ENRICHMENT_KEYS.failures, ENRICHMENT_KEYS.finding].map((key) => raw(`'${key}'`));

const BATCH = 1000;

/** Adds the missing findings; returns how many results it updated. */
export async function backfillFindings(): Promise<number> {
  let updated = 0;
  for (;;) {
    const rows = await query<{ id: string; changes: ConfigurationChange[] | null; failures: ModuleLoadFailure[] | null }>(
      sql`SELECT id::text, enrichment -> ${CHANGES} AS changes, enrichment -> ${FAILURES} AS failures FROM detection_results
       WHERE finding_kind IS NULL AND (jsonb_typeof(enrichment -> ${CHANGES}) = 'array' OR jsonb_typeof(enrichment -> ${FAILURES}) = 'array')
       ORDER BY id LIMIT ${BATCH}`,
    );
    if (rows.length === 0) return updated;
    const findings = rows.map((r) => JSON.stringify(findingOf(r.failures ? { failures: r.failures } : { changes: r.changes ?? [] })));
    updated += await execute(
      sql`UPDATE detection_results d SET enrichment = d.enrichment || jsonb_build_object(${FINDING}, x.finding)
       FROM unnest(${rows.map((r) => r.id)}::bigint[], ${findings}::jsonb[]) AS x(id, finding) WHERE d.id = x.id AND d.finding_kind IS NULL`,
    );
    if (rows.length < BATCH) return updated;
  }
}
