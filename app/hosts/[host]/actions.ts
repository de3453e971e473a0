"use server";
// Asset priority of a host (admins): recomputes the urgency of its open notables; audited by lib/triage, which
// also checks the priority and refuses a save from a stale form (TriageError).
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { defineAction } from "@/lib/actions/define-action";
import { setHostPriority } from "@/lib/triage";

export const setHostPriorityAction = defineAction({
  permission: "settings:manage",
  input: z.object({ host: z.string().default(""), priority: z.string().default(""), expected: z.string().optional() }),
  audit: "lib",
  run: async ({ host, priority, expected }, { actor }) => {
    const { priority: saved, notablesUpdated } = await setHostPriority(host, priority, actor, expected);
    revalidatePath("/", "layout");
    return { ok: `Priority ${saved}; urgency recomputed for ${notablesUpdated} open notable${notablesUpdated === 1 ? "" : "s"}.` };
  },
});
