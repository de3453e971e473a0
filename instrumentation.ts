// Runs once when the Next.js server starts: finish what a previous stop left half-done, run the detections over
// every upload that lands, and start the detection schedule (hourly, as ES runs ESCU searches).
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { recoverUploads, setAfterUpload } = await import("./lib/ingest/uploads");
  const { runForNewEvents, startDetectionScheduler } = await import("./lib/detections");
  setAfterUpload((uploadId) => runForNewEvents(uploadId));
  const recovered = await recoverUploads();
  if (recovered.failed || recovered.requeued) {
    console.log(`uploads: ${recovered.failed} interrupted upload(s) rolled back, ${recovered.requeued} re-queued`);
  }
  if (process.env.IISWATCH_SCHEDULER !== "off") {
    const { mode } = await startDetectionScheduler();
    console.log(`detections: hourly schedule running (${mode})`);
  }
}
