-- AlterTable
-- finding_kind, finding_rank: what a result means (lib/detections/enrichment.ts FINDING_KINDS: a module installed,
-- a DLL failing to load, HTTP logging disabled, a module removed, another configuration change) and how serious it
-- is, kept by the database from the `finding` the engine writes into `enrichment` (stored generated columns, like
-- module_names): the notables queue and the hosts table sort by them ("backdoors first") without unpacking JSON.
-- Results enriched before this release have no finding yet; the workers add it at start (backfill-findings.ts).
ALTER TABLE "detection_results"
  ADD COLUMN "finding_kind" TEXT GENERATED ALWAYS AS ("enrichment" -> 'finding' ->> 'kind') STORED,
  ADD COLUMN "finding_rank" SMALLINT GENERATED ALWAYS AS ((("enrichment" -> 'finding' ->> 'rank'))::smallint) STORED;
