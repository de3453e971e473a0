-- AlterTable
ALTER TABLE "uploads" ADD COLUMN     "notices" JSONB NOT NULL DEFAULT '[]';
