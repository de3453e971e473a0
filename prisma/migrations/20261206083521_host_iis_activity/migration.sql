-- Hosts count their events of IIS (an IIS provider or legacy source name, or the IIS configuration log), so that a
-- host that is not an IIS server is not reported as missing its IIS configuration log.
-- The test is lib/ingest/iis-activity.ts isIisEventSql, written out here as it was when this migration was made.
-- (No semicolons in comments: the offline migrator splits scripts on every semicolon.)

-- AlterTable
ALTER TABLE "hosts" ADD COLUMN     "iis_events" INTEGER NOT NULL DEFAULT 0;

-- Backfill: databases that already hold events migrate too
UPDATE "hosts" h SET "iis_events" = (
  SELECT count(*) FROM "events" e
  WHERE e."host_id" = h."id" AND (
    lower(e.provider) LIKE 'microsoft-windows-iis%' OR lower(e.provider) LIKE 'microsoft-iis%'
    OR lower(e.provider) IN ('microsoft-windows-iis-configuration', 'microsoft-windows-iis-w3svc-wp', 'w3svc-wp', 'microsoft-windows-was', 'was', 'w3svc')
    OR lower(e.event_source_name) LIKE 'microsoft-windows-iis%' OR lower(e.event_source_name) LIKE 'microsoft-iis%'
    OR lower(e.event_source_name) IN ('microsoft-windows-iis-configuration', 'microsoft-windows-iis-w3svc-wp', 'w3svc-wp', 'microsoft-windows-was', 'was', 'w3svc')
    OR lower(e.channel) = 'microsoft-iis-configuration/operational'
  )
);
