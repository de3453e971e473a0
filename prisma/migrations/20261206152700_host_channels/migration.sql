-- When each host's events of each collected channel came (lib/ingest/collected-channels.ts), kept at ingest like the
-- host counters: the hosts page's last event per channel and quiet-shipper flag read it instead of scanning events.
-- Keyed by host first (distributed with events on Citus: tests/distribution-keys.db.test.ts).
-- (No semicolons in comments: the offline migrator splits scripts on every semicolon.)

-- CreateTable
CREATE TABLE "host_channels" (
    "host_id" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "first_event" TIMESTAMPTZ(6) NOT NULL,
    "last_event" TIMESTAMPTZ(6) NOT NULL,
    "event_count" INTEGER NOT NULL,

    CONSTRAINT "host_channels_pkey" PRIMARY KEY ("host_id","channel")
);

-- Backfill: databases that already hold events migrate too. The channel list is the one of collected-channels.ts
-- when this migration was made.
INSERT INTO "host_channels" ("host_id", "channel", "name", "first_event", "last_event", "event_count")
SELECT "host_id", lower("channel"), min("channel"), min("time"), max("time"), count(*)::int
FROM "events"
WHERE lower("channel") IN ('microsoft-iis-configuration/operational', 'application', 'security', 'microsoft-windows-sysmon/operational', 'microsoft-windows-powershell/operational')
GROUP BY "host_id", lower("channel");
