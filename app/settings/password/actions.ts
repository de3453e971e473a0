"use server";
// Changing one's own password: needs the current one; ends the user's other sessions. Audited by lib/auth.
import { z } from "zod";
import { defineAction } from "@/lib/actions/define-action";
import { changeOwnPassword } from "@/lib/auth/users";

export const changePasswordAction = defineAction({
  permission: "data:read",
  input: z
    .object({ current: z.string().default(""), password: z.string().default(""), confirm: z.string().default("") })
    .refine((f) => f.password === f.confirm, { path: ["confirm"], error: "The two new passwords differ." }),
  audit: "lib",
  run: async ({ current, password }, { actor }) => {
    await changeOwnPassword(actor, current, password, { keepSessionId: actor.sessionId ?? undefined });
    return { ok: "Password changed. Your other sessions were signed out." };
  },
});
