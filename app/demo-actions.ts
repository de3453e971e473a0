"use server";
// "Load demo data" on an empty dashboard: a realistic fleet through the real ingest pipeline and detections.
import { revalidatePath } from "next/cache";
import { writeAudit } from "@/lib/audit/log";
import { AuthorizationError, authorizeAction } from "@/lib/auth/server";
import { loadDemoData } from "@/lib/demo/load";

export interface DemoState {
  error?: string;
  ok?: string;
}

export async function loadDemoAction(): Promise<DemoState> {
  try {
    const actor = await authorizeAction("upload:create");
    const { fleet, upload, uploadId } = await loadDemoData();
    await writeAudit(actor, { action: "upload.demo", targetType: "upload", targetId: uploadId, after: { hosts: fleet.hosts.length, events: upload.stored } });
    revalidatePath("/", "layout");
    return { ok: `Loaded ${upload.stored.toLocaleString("en")} events from ${fleet.hosts.length} demo hosts and ran the detections.` };
  } catch (e) {
    if (e instanceof AuthorizationError) return { error: e.message };
    throw e;
  }
}
