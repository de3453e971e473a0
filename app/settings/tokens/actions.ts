"use server";
// API tokens: everyone manages their own; admins may revoke anyone's. The token is returned once, here. Audited
// by lib/auth/tokens.
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { defineAction } from "@/lib/actions/define-action";
import { UserFacingError } from "@/lib/errors/user-facing-error";
import { can } from "@/lib/auth/server";
import { createApiToken, revokeApiToken } from "@/lib/auth/tokens";
import { sqlSafeText } from "@/lib/db/ids";

const MAX_DAYS = 3650;

export const createTokenAction = defineAction({
  permission: "token:own",
  input: z.object({
    name: z.string().default("").refine(sqlSafeText, "A token name cannot contain NUL characters."),
    // Empty (or 0): the token never expires; longer than ten years is ten years.
    days: z
      .string()
      .trim()
      .default("")
      .refine((v) => /^\d*$/.test(v), "Give a whole number of days, or leave it empty.")
      .transform((v) => Number(v)),
  }),
  audit: "lib",
  run: async ({ name, days }, { actor }) => {
    const expiresAt = days > 0 ? new Date(Date.now() + Math.min(days, MAX_DAYS) * 86_400_000) : null;
    const { token, summary } = await createApiToken({ userId: actor.id, name, expiresAt }, actor);
    revalidatePath("/settings/tokens");
    return { ok: `Created "${summary.name}". Copy it now: it will not be shown again.`, token };
  },
});

export const revokeTokenAction = defineAction({
  permission: "token:own",
  input: z.object({ id: z.uuid({ error: "No such active token." }) }),
  audit: "lib",
  run: async ({ id }, { actor }) => {
    // Non-admins can only revoke their own tokens: the owner filter is part of the query.
    const revoked = await revokeApiToken(id, actor, can(actor, "user:manage") ? undefined : actor.id);
    if (!revoked) throw new UserFacingError("No such active token.");
    revalidatePath("/settings/tokens");
    return { ok: "Revoked." };
  },
});
