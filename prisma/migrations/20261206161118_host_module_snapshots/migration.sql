-- IIS global-module inventories (lib/inventory): one snapshot per uploaded applicationHost.config or
-- `Get-WebGlobalModule | ConvertTo-Json`, keyed by host like every distributed table.

-- CreateTable
CREATE TABLE "host_module_snapshots" (
    "host_id" TEXT NOT NULL,
    "id" BIGSERIAL NOT NULL,
    "upload_id" UUID,
    "filename" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "taken_at" TIMESTAMPTZ(6) NOT NULL,
    "modules" JSONB NOT NULL,

    CONSTRAINT "host_module_snapshots_pkey" PRIMARY KEY ("host_id","id")
);

-- CreateIndex
CREATE INDEX "host_module_snapshots_host_id_taken_at_idx" ON "host_module_snapshots"("host_id", "taken_at");
