// Runs once when the Next.js server starts. The web server only receives uploads and serves pages: uploads are
// processed, and the detections run, by worker processes (`npm start` starts them beside it; `iiswatch worker`
// runs more), so parsing never competes with readers on this process's event loop. Nothing to start here but
// the job queue's client, on first use (lib/jobs/boss.ts).
export async function register() {}
