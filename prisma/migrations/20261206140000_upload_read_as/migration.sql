-- How an upload's file was read, so that the same bytes uploaded again and read the same way are recognised
-- instead of read again (lib/ingest/reupload.ts). Uploads stored before this migration have none: a re-upload of
-- one of them is read in full, once.

-- AlterTable
ALTER TABLE "uploads" ADD COLUMN     "read_as" TEXT;

-- CreateIndex
CREATE INDEX "uploads_sha256_idx" ON "uploads"("sha256");
