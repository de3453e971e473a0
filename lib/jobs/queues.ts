// The pipeline's job queues, declared once. Each is a pg-boss queue in the application's own database.
//  - ingest: read one received upload into a staging table and merge it into events (lib/ingest/ingest-job.ts)
//  - detect: evaluate the events one upload stored with every enabled detection (lib/detections/evaluate.ts)
// Retrying belongs to the jobs themselves (attempts are counted on the upload), so pg-boss never retries an
// ingest on its own; a worker that dies is found by its lease (leases.ts), not by pg-boss's expiry.
export const QUEUES = {
  ingest: "iiswatch-ingest",
  detect: "iiswatch-detect",
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

/** The payload of every pipeline job: the upload it works on. */
export interface UploadJobData {
  uploadId: string;
}

/**
 * pg-boss options per queue. `expireInSeconds` is only a backstop far above any real run: a job's liveness is its
 * lease, renewed while it runs. Detections are idempotent, so pg-boss may retry them; ingest retries are ours.
 */
export const QUEUE_OPTIONS: Record<QueueName, { retryLimit: number; retryDelay: number; retryBackoff: boolean; expireInSeconds: number }> = {
  [QUEUES.ingest]: { retryLimit: 0, retryDelay: 0, retryBackoff: false, expireInSeconds: 12 * 3600 },
  [QUEUES.detect]: { retryLimit: 5, retryDelay: 10, retryBackoff: true, expireInSeconds: 6 * 3600 },
};
