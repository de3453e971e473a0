"use server";
// "Load demo data" on an empty dashboard: a realistic fleet through the real pipeline (queued, then stored and
// evaluated by the workers). Refused server-side on a dashboard that has data (DashboardHasDataError).
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { defineAction } from "@/lib/actions/define-action";
import { UserFacingError } from "@/lib/errors/user-facing-error";
import { loadDemoData } from "@/lib/demo/load";
import { getUploadReport } from "@/lib/ingest/queries";
import { waitForUploads } from "@/lib/ingest/uploads";

/** How long the action waits for the workers before answering that the upload is still being processed. */
const WAIT_MS = 5 * 60_000;

export const loadDemoAction = defineAction({
  permission: "upload:create",
  input: z.object({}),
  // loadDemoData is shared with `iiswatch demo`, which records nothing: the dashboard's button is audited here.
  audit: "action",
  run: async (_input, { actor, audit }) => {
    const { fleet, uploadId } = await loadDemoData({ uploadedById: actor.id });
    await audit({ action: "upload.demo", targetType: "upload", targetId: uploadId, after: { hosts: fleet.hosts.length } });
    // The work is the workers'; this only waits (on the database) so that the dashboard opens on the data.
    await waitForUploads([uploadId], { timeoutMs: WAIT_MS }).catch(() => {});
    revalidatePath("/", "layout");
    const upload = await getUploadReport(uploadId, 0);
    if (upload?.status === "failed") throw new UserFacingError(`The demo data could not be loaded: ${upload.error ?? "the upload failed"}`);
    if (upload?.status !== "done") return { ok: `The demo fleet (${fleet.hosts.length} hosts) is queued; it appears as the workers process it.` };
    return { ok: `Loaded ${upload.stored.toLocaleString("en")} events from ${fleet.hosts.length} demo hosts and ran the detections.` };
  },
});
