-- An upload recognised as identical to an earlier one holds what that upload holds with one row (lib/ingest/holding.ts)
-- instead of an event_holders row per event. Not keyed by host: a reference table, like uploads. Recognised uploads
-- stored before this migration keep their holder rows, which every reader still counts.

-- CreateTable
CREATE TABLE "upload_aliases" (
    "upload_id" UUID NOT NULL,
    "alias_of" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "upload_aliases_pkey" PRIMARY KEY ("upload_id")
);

-- CreateIndex
CREATE INDEX "upload_aliases_alias_of_idx" ON "upload_aliases"("alias_of");

-- AddForeignKey
ALTER TABLE "upload_aliases" ADD CONSTRAINT "upload_aliases_upload_id_fkey" FOREIGN KEY ("upload_id") REFERENCES "uploads"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "upload_aliases" ADD CONSTRAINT "upload_aliases_alias_of_fkey" FOREIGN KEY ("alias_of") REFERENCES "uploads"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
