-- Results, risk events and notables keyed by host, as their events are (20261206120000_partitioned_events): every
-- primary, unique and foreign key among them includes the host, the distribution column a distributed PostgreSQL
-- (Citus) co-locates them on. The host of a result is its dest (dest_id, lower(dest)), of a risk event its result's
-- (lower(fields ->> 'dest'): a risk event carries its result's fields), of a notable its dest, and of a comment or a
-- notable's contributing risk event, its notable's.

-- Foreign keys that point at the keys being replaced go first
ALTER TABLE "risk_events" DROP CONSTRAINT "risk_events_result_id_fkey";
ALTER TABLE "notables" DROP CONSTRAINT "notables_result_id_fkey";
ALTER TABLE "detection_result_events" DROP CONSTRAINT "detection_result_events_result_id_fkey";
ALTER TABLE "notable_comments" DROP CONSTRAINT "notable_comments_notable_id_fkey";
ALTER TABLE "notable_risk_events" DROP CONSTRAINT "notable_risk_events_notable_id_fkey";
ALTER TABLE "notable_risk_events" DROP CONSTRAINT "notable_risk_events_risk_event_id_fkey";

-- Results: (dest_id, id). A result always has a dest (stats drops rows whose group field is null)
ALTER TABLE "detection_results" ALTER COLUMN "dest_id" SET NOT NULL;
ALTER TABLE "detection_results" DROP CONSTRAINT "detection_results_pkey";
ALTER TABLE "detection_results" ADD CONSTRAINT "detection_results_pkey" PRIMARY KEY ("dest_id", "id");
CREATE INDEX "detection_results_id_idx" ON "detection_results"("id");

-- Risk events: (host_id, id), the result's host
ALTER TABLE "risk_events" ADD COLUMN "host_id" TEXT NOT NULL GENERATED ALWAYS AS (lower("fields" ->> 'dest')) STORED;
ALTER TABLE "risk_events" DROP CONSTRAINT "risk_events_pkey";
ALTER TABLE "risk_events" ADD CONSTRAINT "risk_events_pkey" PRIMARY KEY ("host_id", "id");
CREATE INDEX "risk_events_id_idx" ON "risk_events"("id");
ALTER TABLE "risk_events" ADD CONSTRAINT "risk_events_result_fkey" FOREIGN KEY ("host_id", "result_id") REFERENCES "detection_results"("dest_id", "id") ON DELETE CASCADE ON UPDATE NO ACTION;

-- Notables: (host_id, id), their dest's host. A result's notable is unique per result
ALTER TABLE "notables" ADD COLUMN "host_id" TEXT NOT NULL GENERATED ALWAYS AS (lower("dest")) STORED;
DROP INDEX "notables_result_id_key";
ALTER TABLE "notables" DROP CONSTRAINT "notables_pkey";
ALTER TABLE "notables" ADD CONSTRAINT "notables_pkey" PRIMARY KEY ("host_id", "id");
CREATE INDEX "notables_id_idx" ON "notables"("id");
CREATE UNIQUE INDEX "notables_host_id_result_id_key" ON "notables"("host_id", "result_id");
ALTER TABLE "notables" ADD CONSTRAINT "notables_result_fkey" FOREIGN KEY ("host_id", "result_id") REFERENCES "detection_results"("dest_id", "id") ON DELETE CASCADE ON UPDATE NO ACTION;

-- The ledger's events are its result's host's events
ALTER TABLE "detection_result_events" ADD CONSTRAINT "detection_result_events_result_fkey" FOREIGN KEY ("host_id", "result_id") REFERENCES "detection_results"("dest_id", "id") ON DELETE CASCADE ON UPDATE NO ACTION;

-- Comments: their notable's host
ALTER TABLE "notable_comments" ADD COLUMN "host_id" TEXT;
UPDATE "notable_comments" c SET "host_id" = n."host_id" FROM "notables" n WHERE n."id" = c."notable_id";
DELETE FROM "notable_comments" WHERE "host_id" IS NULL;
ALTER TABLE "notable_comments" ALTER COLUMN "host_id" SET NOT NULL;
ALTER TABLE "notable_comments" DROP CONSTRAINT "notable_comments_pkey";
ALTER TABLE "notable_comments" ADD CONSTRAINT "notable_comments_pkey" PRIMARY KEY ("host_id", "id");
CREATE INDEX "notable_comments_notable_id_idx" ON "notable_comments"("notable_id");
ALTER TABLE "notable_comments" ADD CONSTRAINT "notable_comments_notable_fkey" FOREIGN KEY ("host_id", "notable_id") REFERENCES "notables"("host_id", "id") ON DELETE CASCADE ON UPDATE NO ACTION;

-- A risk incident notable's contributing risk events: its host's
ALTER TABLE "notable_risk_events" ADD COLUMN "host_id" TEXT;
UPDATE "notable_risk_events" l SET "host_id" = n."host_id" FROM "notables" n WHERE n."id" = l."notable_id";
DELETE FROM "notable_risk_events" WHERE "host_id" IS NULL;
ALTER TABLE "notable_risk_events" ALTER COLUMN "host_id" SET NOT NULL;
ALTER TABLE "notable_risk_events" DROP CONSTRAINT "notable_risk_events_pkey";
ALTER TABLE "notable_risk_events" ADD CONSTRAINT "notable_risk_events_pkey" PRIMARY KEY ("host_id", "notable_id", "risk_event_id");
ALTER TABLE "notable_risk_events" ADD CONSTRAINT "notable_risk_events_notable_fkey" FOREIGN KEY ("host_id", "notable_id") REFERENCES "notables"("host_id", "id") ON DELETE CASCADE ON UPDATE NO ACTION;
ALTER TABLE "notable_risk_events" ADD CONSTRAINT "notable_risk_events_risk_event_fkey" FOREIGN KEY ("host_id", "risk_event_id") REFERENCES "risk_events"("host_id", "id") ON DELETE CASCADE ON UPDATE NO ACTION;
