-- `events` becomes a table partitioned by range of event time (lib/db/partitions.ts creates the partitions as data
-- arrives, monthly by default, and moves rows out of the default partition when it does), keyed the way a
-- distributed PostgreSQL (Citus, distribution column host_id) requires: every key includes host_id, and those of
-- `events` the time. Its link tables (event_holders, detection_result_events) carry host_id too, and no foreign key
-- points into `events`: a partition dropped by retention (lib/pipeline/retention.ts) must take nothing else with it,
-- and the ledger of counted events stays to explain the results.
-- The migrator sends this script one statement at a time (Citus refuses several DDL statements in one query string).
-- (No semicolons in comments: statements are split on them.)

-- Nothing may point into the old table while it is replaced
ALTER TABLE "detection_result_events" DROP CONSTRAINT "detection_result_events_event_id_fkey";
ALTER TABLE "event_holders" DROP CONSTRAINT "event_holders_event_id_fkey";

-- The old table steps aside, keeping its id sequence for the new one
ALTER TABLE "events" RENAME TO "events_unpartitioned";
ALTER SEQUENCE "events_id_seq" OWNED BY NONE;
ALTER TABLE "events_unpartitioned" DROP CONSTRAINT "events_pkey";
DROP INDEX "events_event_key_key";
ALTER TABLE "events_unpartitioned" DROP CONSTRAINT "events_upload_id_fkey";
DROP INDEX "events_event_code_time_idx";
DROP INDEX "events_host_id_time_event_code_idx";
DROP INDEX "events_time_idx";
DROP INDEX "events_upload_id_idx";

-- The same columns in the same order, with their defaults (the id sequence's among them)
CREATE TABLE "events" (LIKE "events_unpartitioned" INCLUDING DEFAULTS) PARTITION BY RANGE ("time");
-- The host views read (host, time, event code) from the key alone (index-only scans).
ALTER TABLE "events" ADD CONSTRAINT "events_pkey" PRIMARY KEY ("host_id", "time", "event_code", "id");
-- The event identity (lib/ingest/identity.ts): re-uploads and overlapping exports store each event once.
ALTER TABLE "events" ADD CONSTRAINT "events_host_id_time_event_key_key" UNIQUE ("host_id", "time", "event_key");
ALTER TABLE "events" ADD CONSTRAINT "events_upload_id_fkey" FOREIGN KEY ("upload_id") REFERENCES "uploads"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER SEQUENCE "events_id_seq" OWNED BY "events"."id";

CREATE INDEX "events_id_idx" ON "events"("id");
CREATE INDEX "events_event_code_time_idx" ON "events"("event_code", "time");
CREATE INDEX "events_time_idx" ON "events"("time");
CREATE INDEX "events_upload_id_idx" ON "events"("upload_id");

-- Rows no partition covers (an event dated before 1990, a test's direct insert) land here until a partition is made for them
CREATE TABLE "events_default" PARTITION OF "events" DEFAULT;

CREATE TABLE "event_expirations" (
    "id" BIGSERIAL NOT NULL,
    "range_start" TIMESTAMPTZ(6) NOT NULL,
    "range_end" TIMESTAMPTZ(6) NOT NULL,
    "events" BIGINT NOT NULL,
    "dropped_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "retention_days" INTEGER NOT NULL,
    CONSTRAINT "event_expirations_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "event_expirations_range_end_idx" ON "event_expirations"("range_end");

-- Existing events move over (into the default partition: the first merge or worker start splits them by month)
INSERT INTO "events" SELECT * FROM "events_unpartitioned";

-- The link tables carry the host (and the holders the event time, so that retention can let go of them by range)
ALTER TABLE "event_holders" ADD COLUMN "host_id" TEXT;
ALTER TABLE "event_holders" ADD COLUMN "event_time" TIMESTAMPTZ(6);
UPDATE "event_holders" h SET "host_id" = e."host_id", "event_time" = e."time" FROM "events_unpartitioned" e WHERE e."id" = h."event_id";
DELETE FROM "event_holders" WHERE "host_id" IS NULL;
ALTER TABLE "event_holders" ALTER COLUMN "host_id" SET NOT NULL;
ALTER TABLE "event_holders" ALTER COLUMN "event_time" SET NOT NULL;
ALTER TABLE "event_holders" DROP CONSTRAINT "event_holders_pkey";
ALTER TABLE "event_holders" ADD CONSTRAINT "event_holders_pkey" PRIMARY KEY ("host_id", "event_time", "event_id", "upload_id");

ALTER TABLE "detection_result_events" ADD COLUMN "host_id" TEXT;
UPDATE "detection_result_events" c SET "host_id" = e."host_id" FROM "events_unpartitioned" e WHERE e."id" = c."event_id";
DELETE FROM "detection_result_events" WHERE "host_id" IS NULL;
ALTER TABLE "detection_result_events" ALTER COLUMN "host_id" SET NOT NULL;
ALTER TABLE "detection_result_events" DROP CONSTRAINT "detection_result_events_pkey";
ALTER TABLE "detection_result_events" ADD CONSTRAINT "detection_result_events_pkey" PRIMARY KEY ("host_id", "detection_id", "event_id", "result_id");

DROP TABLE "events_unpartitioned";
