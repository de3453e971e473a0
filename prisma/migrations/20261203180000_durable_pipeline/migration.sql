-- The durable pipeline (lib/jobs): uploads are received whole before they become work, processed by pg-boss jobs
-- whose owners hold leases, merged into events atomically, and evaluated by the detections with a record of it.

-- An upload whose body is still arriving, and one whose events are stored while the detections evaluate them.
ALTER TYPE "UploadStatus" ADD VALUE IF NOT EXISTS 'receiving' BEFORE 'queued';
ALTER TYPE "UploadStatus" ADD VALUE IF NOT EXISTS 'detecting' BEFORE 'done';

ALTER TABLE "uploads"
  ADD COLUMN "sha256" TEXT,
  ADD COLUMN "received_at" TIMESTAMPTZ(6),
  ADD COLUMN "receiving_until" TIMESTAMPTZ(6),
  ADD COLUMN "record_host" TEXT,
  ADD COLUMN "record_channel" TEXT,
  ADD COLUMN "job_id" UUID,
  ADD COLUMN "worker" TEXT,
  ADD COLUMN "attempts" INTEGER NOT NULL DEFAULT 0,
  ADD COLUMN "reader_progress" JSONB,
  ADD COLUMN "evaluated_at" TIMESTAMPTZ(6);
CREATE INDEX "uploads_status_idx" ON "uploads"("status");

-- Who is working on a job, until when. A live worker renews its lease; the reaper hands back the job of one that
-- stopped renewing (killed, or cut off from the database).
CREATE TABLE "work_leases" (
    "job_id" UUID NOT NULL,
    "queue" TEXT NOT NULL,
    "upload_id" UUID NOT NULL,
    "owner" TEXT NOT NULL,
    "acquired_at" TIMESTAMPTZ(6) NOT NULL DEFAULT now(),
    "expires_at" TIMESTAMPTZ(6) NOT NULL,
    CONSTRAINT "work_leases_pkey" PRIMARY KEY ("job_id")
);
CREATE INDEX "work_leases_expires_at_idx" ON "work_leases"("expires_at");

-- Uploads that also hold an event another upload stored first (events.upload_id): deleting either keeps it.
CREATE TABLE "event_holders" (
    "event_id" BIGINT NOT NULL,
    "upload_id" UUID NOT NULL,
    CONSTRAINT "event_holders_pkey" PRIMARY KEY ("event_id", "upload_id")
);
CREATE INDEX "event_holders_upload_id_idx" ON "event_holders"("upload_id");
ALTER TABLE "event_holders" ADD CONSTRAINT "event_holders_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "events"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "event_holders" ADD CONSTRAINT "event_holders_upload_id_fkey" FOREIGN KEY ("upload_id") REFERENCES "uploads"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Which detections have evaluated the events an upload stored, and until which scheduled time they still have
-- windows to run (events newer than the last due run): the catch-up works from this, not from a high-water mark.
CREATE TABLE "upload_evaluations" (
    "upload_id" UUID NOT NULL,
    "detection_id" TEXT NOT NULL,
    "evaluated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT now(),
    "pending_until" TIMESTAMPTZ(6),
    CONSTRAINT "upload_evaluations_pkey" PRIMARY KEY ("upload_id", "detection_id")
);
ALTER TABLE "upload_evaluations" ADD CONSTRAINT "upload_evaluations_upload_id_fkey" FOREIGN KEY ("upload_id") REFERENCES "uploads"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Events already stored before this migration were evaluated by the high-water catch-up: record that.
INSERT INTO "upload_evaluations" ("upload_id", "detection_id")
SELECT u.id, d.detection_id FROM "uploads" u
CROSS JOIN (SELECT DISTINCT detection_id FROM "detection_runs" WHERE kind <> 'adhoc') d
WHERE u.status = 'done';
UPDATE "uploads" SET "evaluated_at" = "finished_at" WHERE status = 'done';
