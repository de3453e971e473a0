-- Events carry their host's id (lower(host)), indexed with time, so per-host views use an index scan.
-- Hosts count their Microsoft-IIS-Configuration/Operational events, so a host without that log (disabled by default) shows.
-- (No semicolons in comments: the offline migrator splits scripts on every semicolon.)

-- DropIndex
DROP INDEX "events_host_time_idx";

-- AlterTable (backfilled before NOT NULL, so databases that already hold events migrate too)
ALTER TABLE "events" ADD COLUMN "host_id" TEXT;
UPDATE "events" SET "host_id" = lower("host");
ALTER TABLE "events" ALTER COLUMN "host_id" SET NOT NULL;

-- AlterTable
ALTER TABLE "hosts" ADD COLUMN "iis_config_events" INTEGER NOT NULL DEFAULT 0;
UPDATE "hosts" h SET "iis_config_events" = (
  SELECT count(*) FROM "events" e
  WHERE e."host_id" = h."id" AND lower(e."channel") = lower('Microsoft-IIS-Configuration/Operational')
);

-- CreateIndex
CREATE INDEX "events_host_id_time_idx" ON "events"("host_id", "time");
