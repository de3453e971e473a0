-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "UploadStatus" AS ENUM ('queued', 'processing', 'done', 'failed');

-- CreateEnum
CREATE TYPE "Role" AS ENUM ('analyst', 'triager', 'admin');

-- CreateEnum
CREATE TYPE "NotableStatus" AS ENUM ('new', 'in_progress', 'pending', 'resolved', 'closed');

-- CreateEnum
CREATE TYPE "RunKind" AS ENUM ('scheduled', 'replay', 'adhoc');

-- CreateEnum
CREATE TYPE "RunStatus" AS ENUM ('running', 'done', 'failed');

-- CreateTable
CREATE TABLE "uploads" (
    "id" UUID NOT NULL,
    "filename" TEXT NOT NULL,
    "format" TEXT,
    "size_bytes" BIGINT NOT NULL DEFAULT 0,
    "bytes_processed" BIGINT NOT NULL DEFAULT 0,
    "status" "UploadStatus" NOT NULL DEFAULT 'queued',
    "records_read" INTEGER NOT NULL DEFAULT 0,
    "stored" INTEGER NOT NULL DEFAULT 0,
    "duplicates" INTEGER NOT NULL DEFAULT 0,
    "rejected" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(6),
    "finished_at" TIMESTAMPTZ(6),
    "uploaded_by_id" UUID,

    CONSTRAINT "uploads_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "upload_rejections" (
    "id" BIGSERIAL NOT NULL,
    "upload_id" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "location" TEXT,
    "reason" TEXT NOT NULL,
    "excerpt" TEXT,

    CONSTRAINT "upload_rejections_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "events" (
    "id" BIGSERIAL NOT NULL,
    "event_key" TEXT NOT NULL,
    "upload_id" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "time" TIMESTAMPTZ(6) NOT NULL,
    "time_created" TEXT,
    "host" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "provider_guid" TEXT,
    "event_source_name" TEXT,
    "event_code" INTEGER NOT NULL,
    "qualifiers" INTEGER,
    "record_id" BIGINT,
    "version" INTEGER,
    "level" INTEGER,
    "opcode" INTEGER,
    "opcode_name" TEXT,
    "task" INTEGER,
    "keywords" TEXT,
    "user_sid" TEXT,
    "process_id" INTEGER,
    "thread_id" INTEGER,
    "data" JSONB NOT NULL DEFAULT '{}',
    "message" TEXT,
    "source" TEXT NOT NULL,
    "sourcetype" TEXT NOT NULL,
    "f_opcode" TEXT,
    "f_computer_name" TEXT,
    "f_message" TEXT,
    "f_name" TEXT,
    "f_module_dll" TEXT,
    "dest" TEXT,
    "format" TEXT NOT NULL,
    "raw" TEXT NOT NULL,

    CONSTRAINT "events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "hosts" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "priority" TEXT NOT NULL DEFAULT 'medium',
    "first_event" TIMESTAMPTZ(6),
    "last_event" TIMESTAMPTZ(6),
    "event_count" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "hosts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "detection_settings" (
    "detection_id" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "risk_score" INTEGER,
    "updated_at" TIMESTAMPTZ(6) NOT NULL,

    CONSTRAINT "detection_settings_pkey" PRIMARY KEY ("detection_id")
);

-- CreateTable
CREATE TABLE "detection_runs" (
    "id" BIGSERIAL NOT NULL,
    "detection_id" TEXT NOT NULL,
    "kind" "RunKind" NOT NULL,
    "run_time" TIMESTAMPTZ(6) NOT NULL,
    "window_start" TIMESTAMPTZ(6) NOT NULL,
    "window_end" TIMESTAMPTZ(6) NOT NULL,
    "status" "RunStatus" NOT NULL DEFAULT 'running',
    "result_count" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "started_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(6),

    CONSTRAINT "detection_runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "detection_results" (
    "id" BIGSERIAL NOT NULL,
    "detection_id" TEXT NOT NULL,
    "run_id" BIGINT NOT NULL,
    "group_key" TEXT NOT NULL,
    "dest" TEXT,
    "fields" JSONB NOT NULL,
    "count" INTEGER NOT NULL,
    "first_time" TIMESTAMPTZ(6) NOT NULL,
    "last_time" TIMESTAMPTZ(6) NOT NULL,
    "enrichment" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "detection_results_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "risk_events" (
    "id" BIGSERIAL NOT NULL,
    "time" TIMESTAMPTZ(6) NOT NULL,
    "detection_id" TEXT NOT NULL,
    "result_id" BIGINT NOT NULL,
    "risk_object" TEXT NOT NULL,
    "risk_object_type" TEXT NOT NULL,
    "normalized_risk_object" TEXT NOT NULL,
    "risk_score" INTEGER NOT NULL,
    "risk_message" TEXT NOT NULL,
    "search_name" TEXT NOT NULL,
    "analytic_stories" TEXT[],
    "annotations" JSONB NOT NULL,
    "mitre_tactics" TEXT[],
    "info_min_time" TIMESTAMPTZ(6) NOT NULL,
    "info_max_time" TIMESTAMPTZ(6) NOT NULL,
    "fields" JSONB NOT NULL,

    CONSTRAINT "risk_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "notables" (
    "id" BIGSERIAL NOT NULL,
    "result_id" BIGINT NOT NULL,
    "detection_id" TEXT NOT NULL,
    "time" TIMESTAMPTZ(6) NOT NULL,
    "title" TEXT NOT NULL,
    "dest" TEXT,
    "severity" TEXT NOT NULL,
    "urgency" TEXT NOT NULL,
    "status" "NotableStatus" NOT NULL DEFAULT 'new',
    "owner_id" UUID,
    "disposition" TEXT,
    "updated_at" TIMESTAMPTZ(6) NOT NULL,

    CONSTRAINT "notables_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "notable_comments" (
    "id" BIGSERIAL NOT NULL,
    "notable_id" BIGINT NOT NULL,
    "author_id" UUID,
    "body" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "notable_comments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "suppressions" (
    "id" BIGSERIAL NOT NULL,
    "detection_id" TEXT NOT NULL,
    "match" JSONB NOT NULL,
    "reason" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "expires_at" TIMESTAMPTZ(6),
    "created_by_id" UUID,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL,

    CONSTRAINT "suppressions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_log" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor_id" UUID,
    "actor_name" TEXT,
    "action" TEXT NOT NULL,
    "target_type" TEXT,
    "target_id" TEXT,
    "before" JSONB,
    "after" JSONB,
    "address" TEXT,

    CONSTRAINT "audit_log_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "users" (
    "id" UUID NOT NULL,
    "username" TEXT NOT NULL,
    "password_hash" TEXT NOT NULL,
    "role" "Role" NOT NULL DEFAULT 'analyst',
    "disabled" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sessions" (
    "id" TEXT NOT NULL,
    "user_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(6) NOT NULL,

    CONSTRAINT "sessions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_tokens" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "token_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(6),
    "revoked_at" TIMESTAMPTZ(6),

    CONSTRAINT "api_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "uploads_created_at_idx" ON "uploads"("created_at");

-- CreateIndex
CREATE INDEX "upload_rejections_upload_id_position_idx" ON "upload_rejections"("upload_id", "position");

-- CreateIndex
CREATE UNIQUE INDEX "events_event_key_key" ON "events"("event_key");

-- CreateIndex
CREATE INDEX "events_time_idx" ON "events"("time");

-- CreateIndex
CREATE INDEX "events_host_time_idx" ON "events"("host", "time");

-- CreateIndex
CREATE INDEX "events_event_code_time_idx" ON "events"("event_code", "time");

-- CreateIndex
CREATE INDEX "events_upload_id_idx" ON "events"("upload_id");

-- CreateIndex
CREATE INDEX "detection_runs_detection_id_run_time_idx" ON "detection_runs"("detection_id", "run_time");

-- CreateIndex
CREATE INDEX "detection_results_detection_id_group_key_idx" ON "detection_results"("detection_id", "group_key");

-- CreateIndex
CREATE INDEX "detection_results_dest_idx" ON "detection_results"("dest");

-- CreateIndex
CREATE INDEX "risk_events_normalized_risk_object_time_idx" ON "risk_events"("normalized_risk_object", "time");

-- CreateIndex
CREATE INDEX "risk_events_time_idx" ON "risk_events"("time");

-- CreateIndex
CREATE UNIQUE INDEX "notables_result_id_key" ON "notables"("result_id");

-- CreateIndex
CREATE INDEX "notables_status_time_idx" ON "notables"("status", "time");

-- CreateIndex
CREATE INDEX "suppressions_detection_id_idx" ON "suppressions"("detection_id");

-- CreateIndex
CREATE INDEX "audit_log_at_idx" ON "audit_log"("at");

-- CreateIndex
CREATE UNIQUE INDEX "users_username_key" ON "users"("username");

-- CreateIndex
CREATE UNIQUE INDEX "api_tokens_token_hash_key" ON "api_tokens"("token_hash");

-- AddForeignKey
ALTER TABLE "uploads" ADD CONSTRAINT "uploads_uploaded_by_id_fkey" FOREIGN KEY ("uploaded_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "upload_rejections" ADD CONSTRAINT "upload_rejections_upload_id_fkey" FOREIGN KEY ("upload_id") REFERENCES "uploads"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "events" ADD CONSTRAINT "events_upload_id_fkey" FOREIGN KEY ("upload_id") REFERENCES "uploads"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "detection_results" ADD CONSTRAINT "detection_results_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "detection_runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "risk_events" ADD CONSTRAINT "risk_events_result_id_fkey" FOREIGN KEY ("result_id") REFERENCES "detection_results"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "notables" ADD CONSTRAINT "notables_result_id_fkey" FOREIGN KEY ("result_id") REFERENCES "detection_results"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "notables" ADD CONSTRAINT "notables_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "notable_comments" ADD CONSTRAINT "notable_comments_notable_id_fkey" FOREIGN KEY ("notable_id") REFERENCES "notables"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "notable_comments" ADD CONSTRAINT "notable_comments_author_id_fkey" FOREIGN KEY ("author_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "suppressions" ADD CONSTRAINT "suppressions_created_by_id_fkey" FOREIGN KEY ("created_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
