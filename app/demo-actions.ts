"use server";
// "Load demo data" on an empty dashboard: a realistic fleet through the real pipeline (queued, then stored and
// evaluated by the workers). Refused server-side on a dashboard that has data.
import { revalidatePath } from "next/cache";
import { writeAudit } from "@/lib/audit/log";
import { AuthorizationError, authorizeAction } from "@/lib/auth/server";
import { DashboardHasDataError, loadDemoData, type DemoState } from "@/lib/demo/load";
import { getUploadReport } from "@/lib/ingest/queries";
import { waitForUploads } from "@/lib/ingest/uploads";


/** How long the action waits for the workers before answering that the upload is still being processed. */
const WAIT_MS = 5 * 60_000;

export async function loadDemoAction(): Promise<DemoState> {
  try {
    const actor = await authorizeAction("upload:create");
    const { fleet, uploadId } = await loadDemoData({ uploadedById: actor.id });
    await writeAudit(actor, { action: "upload.demo", targetType: "upload", targetId: uploadId, after: { hosts: fleet.hosts.length } });
    // The work is the workers'; this only waits (on the database) so that the dashboard opens on the data.
    await waitForUploads([uploadId], { timeoutMs: WAIT_MS }).catch(() => {});
    revalidatePath("/", "layout");
    const upload = await getUploadReport(uploadId, 0);
    if (upload?.status === "failed") return { error: `The demo data could not be loaded: ${upload.error ?? "the upload failed"}` };
    if (upload?.status !== "done") return { ok: `The demo fleet (${fleet.hosts.length} hosts) is queued; it appears as the workers process it.` };
    return { ok: `Loaded ${upload.stored.toLocaleString("en")} events from ${fleet.hosts.length} demo hosts and ran the detections.` };
  } catch (e) {
    if (e instanceof AuthorizationError || e instanceof DashboardHasDataError) return { error: e.message };
    throw e;
  }
}
