"use server";
// API tokens: everyone manages their own; admins may revoke anyone's. The token is returned once, here.
import { revalidatePath } from "next/cache";
import { authorizeAction, AuthorizationError, can } from "@/lib/auth/server";
import { createApiToken, revokeApiToken, TokenError } from "@/lib/auth/tokens";
import { parseUuid, sqlSafeText } from "@/lib/db/ids";

export interface TokenFormState {
  error?: string;
  ok?: string;
  token?: string;
}

export async function createTokenAction(_prev: TokenFormState, form: FormData): Promise<TokenFormState> {
  try {
    const actor = await authorizeAction("token:own");
    const days = Number(form.get("days") ?? 0);
    const expiresAt = Number.isFinite(days) && days > 0 ? new Date(Date.now() + Math.min(days, 3650) * 86_400_000) : null;
    const name = String(form.get("name") ?? "");
    if (!sqlSafeText(name)) return { error: "A token name cannot contain NUL characters." };
    const { token, summary } = await createApiToken({ userId: actor.id, name, expiresAt }, actor);
    revalidatePath("/settings/tokens");
    return { ok: `Created "${summary.name}". Copy it now: it will not be shown again.`, token };
  } catch (e) {
    if (e instanceof TokenError || e instanceof AuthorizationError) return { error: e.message };
    throw e;
  }
}

export async function revokeTokenAction(_prev: TokenFormState, form: FormData): Promise<TokenFormState> {
  try {
    const actor = await authorizeAction("token:own");
    const id = parseUuid(String(form.get("id") ?? ""));
    if (!id) return { error: "No such active token." };
    // Non-admins can only revoke their own tokens: the owner filter is part of the query.
    const done = await revokeApiToken(id, actor, can(actor, "user:manage") ? undefined : actor.id);
    revalidatePath("/settings/tokens");
    return done ? { ok: "Revoked." } : { error: "No such active token." };
  } catch (e) {
    if (e instanceof AuthorizationError) return { error: e.message };
    throw e;
  }
}
