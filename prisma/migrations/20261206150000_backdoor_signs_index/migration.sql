-- The overview's "Backdoor signs" (lib/views/overview.ts backdoorSigns): per host, how many results hold a sign
-- and the latest and most serious of them, read from this index alone (an index-only scan of a few columns)
-- instead of a pass over every result with its enrichment. Partial: only results from the rank of a DLL failing to
-- load up (FINDING_KINDS in lib/detections/enrichment.ts; BACKDOOR_SIGN_RANK = 3). Not in schema.prisma, which
-- cannot say WHERE or INCLUDE (like notables_incident_rule_dest_time_idx).
CREATE INDEX "detection_results_backdoor_signs_idx" ON "detection_results" ("dest_id") INCLUDE ("finding_rank", "last_time", "suppressed_until") WHERE "finding_rank" >= 3;
