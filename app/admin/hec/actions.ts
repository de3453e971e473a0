"use server";
// HTTP Event Collector tokens (admins only, checked on the server by defineAction; audited in lib/hec/tokens). The
// token is returned once, here.
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { defineAction } from "@/lib/actions/define-action";
import { UserFacingError } from "@/lib/errors/user-facing-error";
import { createHecToken, hecTokenInput, revokeHecToken } from "@/lib/hec/tokens";

export const createHecTokenAction = defineAction({
  permission: "user:manage",
  // The token's settings as lib/hec checks them; the checkbox posts "on" when ticked, nothing otherwise.
  input: hecTokenInput.extend({ ackEnabled: z.string().optional().transform((v) => v === "on") }),
  audit: "lib",
  echo: (fields) => ({ name: (fields.name ?? "").slice(0, 100) }),
  run: async (input, { actor }) => {
    const { token, summary } = await createHecToken(input, actor);
    revalidatePath("/admin/hec");
    return { ok: `Created "${summary.name}". Copy it now: it will not be shown again.`, token };
  },
});

export const revokeHecTokenAction = defineAction({
  permission: "user:manage",
  input: z.object({ id: z.uuid({ error: "No such active token." }) }),
  audit: "lib",
  run: async ({ id }, { actor }) => {
    if (!(await revokeHecToken(id, actor))) throw new UserFacingError("No such active token.");
    revalidatePath("/admin/hec");
    return { ok: "Revoked: its requests are now refused (code 1, Token disabled)." };
  },
});
