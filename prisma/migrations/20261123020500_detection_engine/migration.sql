-- AlterTable
ALTER TABLE "detection_runs" ADD COLUMN     "max_event_id" BIGINT,
ADD COLUMN     "row_count" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "suppressed_count" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "trigger" TEXT;

-- CreateTable
CREATE TABLE "detection_result_events" (
    "detection_id" TEXT NOT NULL,
    "event_id" BIGINT NOT NULL,
    "result_id" BIGINT NOT NULL,

    CONSTRAINT "detection_result_events_pkey" PRIMARY KEY ("detection_id","event_id","result_id")
);

-- CreateIndex
CREATE INDEX "detection_result_events_result_id_idx" ON "detection_result_events"("result_id");

-- CreateIndex
CREATE INDEX "detection_result_events_event_id_idx" ON "detection_result_events"("event_id");

-- CreateIndex
CREATE INDEX "detection_results_run_id_idx" ON "detection_results"("run_id");

-- CreateIndex
CREATE INDEX "detection_results_detection_id_last_time_idx" ON "detection_results"("detection_id", "last_time");

-- CreateIndex
CREATE INDEX "detection_runs_run_time_idx" ON "detection_runs"("run_time");

-- CreateIndex
CREATE INDEX "risk_events_result_id_idx" ON "risk_events"("result_id");

-- AddForeignKey
ALTER TABLE "detection_result_events" ADD CONSTRAINT "detection_result_events_result_id_fkey" FOREIGN KEY ("result_id") REFERENCES "detection_results"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "detection_result_events" ADD CONSTRAINT "detection_result_events_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "events"("id") ON DELETE CASCADE ON UPDATE CASCADE;
