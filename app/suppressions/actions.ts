"use server";
// False-positive suppressions (triagers and admins): preview, create, edit, disable and re-enable, checked on the
// server. Every change is audited by lib/triage in the transaction that makes it.
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { AuthorizationError, authorizeAction } from "@/lib/auth/server";
import {
  createSuppression,
  previewSuppression,
  readSuppressionForm,
  setSuppressionEnabled,
  TriageError,
  updateSuppression,
  validateSuppression,
  type SuppressionPreview,
} from "@/lib/triage";

export interface PreviewState {
  error?: string;
  preview?: SuppressionPreview;
}

export interface SuppressionFormState {
  error?: string;
  ok?: string;
}

function refresh() {
  // Suppressions change what almost every view shows (results, risk, notables): refresh them all.
  revalidatePath("/", "layout");
}

function fail(e: unknown): { error: string } {
  if (e instanceof AuthorizationError || e instanceof TriageError) return { error: e.message };
  throw e;
}

/** How many existing results, and how much risk, the suppression in the form would remove. Changes nothing. */
export async function previewSuppressionAction(_prev: PreviewState, form: FormData): Promise<PreviewState> {
  try {
    await authorizeAction("suppression:manage");
    const input = readSuppressionForm(form);
    if (Object.keys(input.match).length === 0) return { error: "Keep at least one field." };
    // Validate the fields only (a preview needs no reason yet).
    const value = validateSuppression({ detectionId: input.detectionId, match: input.match, reason: "preview", expiresAt: null });
    const excludeId = String(form.get("id") ?? "").trim() || undefined;
    return { preview: await previewSuppression(value, { excludeId }) };
  } catch (e) {
    return fail(e);
  }
}

export async function createSuppressionAction(_prev: SuppressionFormState, form: FormData): Promise<SuppressionFormState> {
  let id: bigint;
  try {
    const actor = await authorizeAction("suppression:manage");
    const input = readSuppressionForm(form);
    if (input.error) return { error: input.error };
    const sourceResultId = String(form.get("resultId") ?? "").trim() || null;
    id = (await createSuppression({ detectionId: input.detectionId, match: input.match, reason: input.reason, expiresAt: input.expiresAt }, actor, { sourceResultId })).id;
  } catch (e) {
    return fail(e);
  }
  refresh();
  redirect(`/suppressions/${id}?saved=created`);
}

export async function updateSuppressionAction(_prev: SuppressionFormState, form: FormData): Promise<SuppressionFormState> {
  try {
    const actor = await authorizeAction("suppression:manage");
    const input = readSuppressionForm(form);
    if (input.error) return { error: input.error };
    const version = new Date(String(form.get("version") ?? ""));
    await updateSuppression(
      String(form.get("id") ?? ""),
      { match: input.match, reason: input.reason, expiresAt: input.expiresAt, expectedUpdatedAt: Number.isNaN(version.getTime()) ? undefined : version },
      actor,
    );
    refresh();
    return { ok: "Saved." };
  } catch (e) {
    return fail(e);
  }
}

export async function setSuppressionEnabledAction(_prev: SuppressionFormState, form: FormData): Promise<SuppressionFormState> {
  try {
    const actor = await authorizeAction("suppression:manage");
    const enabled = form.get("enabled") === "true";
    await setSuppressionEnabled(String(form.get("id") ?? ""), enabled, actor);
    refresh();
    return { ok: enabled ? "Enabled: matching results are hidden again." : "Disabled: everything it hid is back." };
  } catch (e) {
    return fail(e);
  }
}
