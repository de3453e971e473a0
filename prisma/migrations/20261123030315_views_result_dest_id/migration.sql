-- AlterTable
-- dest_id is lower(dest), kept by the database itself (a stored generated column: existing rows are filled by this
-- statement, and nothing that writes results has to know about it). Prisma models it as a plain column with
-- @default(dbgenerated()), which its migrations leave alone; the host views look results up by it, indexed.
ALTER TABLE "detection_results" ADD COLUMN     "dest_id" TEXT GENERATED ALWAYS AS (lower("dest")) STORED;

-- CreateIndex
CREATE INDEX "detection_results_dest_id_last_time_idx" ON "detection_results"("dest_id", "last_time");
