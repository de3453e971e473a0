"use server";
// Asset priority of a host (admins): recomputes the urgency of its open notables; audited by lib/triage.
import { revalidatePath } from "next/cache";
import { AuthorizationError, authorizeAction } from "@/lib/auth/server";
import { setHostPriority, TriageError } from "@/lib/triage";

export interface PriorityState {
  error?: string;
  ok?: string;
}

export async function setHostPriorityAction(_prev: PriorityState, form: FormData): Promise<PriorityState> {
  try {
    const actor = await authorizeAction("settings:manage");
    const host = String(form.get("host") ?? "");
    const expected = form.get("expected");
    const { priority, notablesUpdated } = await setHostPriority(host, String(form.get("priority") ?? ""), actor, typeof expected === "string" ? expected : undefined);
    revalidatePath("/", "layout");
    return { ok: `Priority ${priority}; urgency recomputed for ${notablesUpdated} open notable${notablesUpdated === 1 ? "" : "s"}.` };
  } catch (e) {
    if (e instanceof AuthorizationError || e instanceof TriageError) return { error: e.message };
    throw e;
  }
}
