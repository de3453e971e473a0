-- AlterTable
ALTER TABLE "suppressions" ADD COLUMN     "source_result_id" BIGINT,
ADD COLUMN     "updated_by_id" UUID;

-- AddForeignKey
ALTER TABLE "suppressions" ADD CONSTRAINT "suppressions_updated_by_id_fkey" FOREIGN KEY ("updated_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;
