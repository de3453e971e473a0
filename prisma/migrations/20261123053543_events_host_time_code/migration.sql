-- The host views count a host's events by time and event code (timeline, events list): with the event code in the
-- index they are answered from the index alone (an index-only scan) instead of visiting one table page per event,
-- which for a busy host was most of its page's time. It replaces the (host_id, time) index, so ingest maintains
-- no more indexes than before.

-- DropIndex
DROP INDEX "events_host_id_time_idx";

-- CreateIndex
CREATE INDEX "events_host_id_time_event_code_idx" ON "events"("host_id", "time", "event_code");
