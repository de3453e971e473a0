-- HTTP Event Collector (lib/hec): its tokens (stored hashed, revocable, with default host/source/sourcetype), the
-- channels that count ackIds, and on each upload the token, channel and ackId of the HEC batch it is.

-- AlterTable
ALTER TABLE "uploads" ADD COLUMN     "hec_ack_id" BIGINT,
ADD COLUMN     "hec_channel" TEXT,
ADD COLUMN     "hec_token_id" UUID;

-- CreateTable
CREATE TABLE "hec_tokens" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "token_hash" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "default_host" TEXT,
    "default_source" TEXT,
    "default_sourcetype" TEXT,
    "ack_enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_by_id" UUID,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(6),
    "revoked_at" TIMESTAMPTZ(6),

    CONSTRAINT "hec_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "hec_channels" (
    "token_id" UUID NOT NULL,
    "channel" TEXT NOT NULL,
    "next_ack_id" BIGINT NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "hec_channels_pkey" PRIMARY KEY ("token_id","channel")
);

-- CreateIndex
CREATE UNIQUE INDEX "hec_tokens_token_hash_key" ON "hec_tokens"("token_hash");

-- CreateIndex
CREATE UNIQUE INDEX "uploads_hec_token_id_hec_channel_hec_ack_id_key" ON "uploads"("hec_token_id", "hec_channel", "hec_ack_id");

-- AddForeignKey
ALTER TABLE "uploads" ADD CONSTRAINT "uploads_hec_token_id_fkey" FOREIGN KEY ("hec_token_id") REFERENCES "hec_tokens"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "hec_tokens" ADD CONSTRAINT "hec_tokens_created_by_id_fkey" FOREIGN KEY ("created_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "hec_channels" ADD CONSTRAINT "hec_channels_token_id_fkey" FOREIGN KEY ("token_id") REFERENCES "hec_tokens"("id") ON DELETE CASCADE ON UPDATE CASCADE;
