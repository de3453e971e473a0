-- Near-real-time detection runs (IISWATCH_DETECTIONS=nrt, lib/detections/runs.ts): a scheduled window run early,
-- when a batch of its events arrives, recorded as its own kind so that the scheduled runs stay ES's.

-- AlterEnum
ALTER TYPE "RunKind" ADD VALUE 'nrt';
