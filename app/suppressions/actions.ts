"use server";
// False-positive suppressions (triagers and admins): preview, create, edit, disable and re-enable, checked on the
// server by defineAction. lib/triage validates each suppression (TriageError) and audits every change in the
// transaction that makes it.
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { defineAction } from "@/lib/actions/define-action";
import { UserFacingError } from "@/lib/errors/user-facing-error";
import { createSuppression, previewSuppression, readSuppressionForm, setSuppressionEnabled, updateSuppression, validateSuppression } from "@/lib/triage";
import { suppressionUrl } from "@/lib/links/urls";

function refresh() {
  // Suppressions change what almost every view shows (results, risk, notables): refresh them all.
  revalidatePath("/", "layout");
}

/**
 * The suppression the form describes. Its matched fields are named by the data (`field.<name>`, `value.<name>`),
 * so lib/triage reads them from the form itself.
 */
function suppressionOf(form: FormData) {
  const input = readSuppressionForm(form);
  if (input.error) throw new UserFacingError(input.error, { field: "expiresAt" });
  return input;
}

const optionalText = z
  .string()
  .optional()
  .transform((v) => v?.trim() || undefined);

/** How many existing results, and how much risk, the suppression in the form would remove. Changes nothing. */
export const previewSuppressionAction = defineAction({
  permission: "suppression:manage",
  input: z.object({ id: optionalText }),
  audit: "read-only",
  run: async ({ id }, { form }) => {
    const input = readSuppressionForm(form);
    if (Object.keys(input.match).length === 0) throw new UserFacingError("Keep at least one field.");
    // Validate the fields only (a preview needs no reason yet).
    const value = validateSuppression({ detectionId: input.detectionId, match: input.match, reason: "preview", expiresAt: null });
    return { preview: await previewSuppression(value, { excludeId: id }) };
  },
});

export const createSuppressionAction = defineAction({
  permission: "suppression:manage",
  input: z.object({ resultId: optionalText }),
  audit: "lib",
  run: async ({ resultId }, { actor, form }) => {
    const input = suppressionOf(form);
    const { id } = await createSuppression(
      { detectionId: input.detectionId, match: input.match, reason: input.reason, expiresAt: input.expiresAt },
      actor,
      { sourceResultId: resultId ?? null },
    );
    refresh();
    redirect(suppressionUrl(id, { saved: "created" }));
  },
});

export const updateSuppressionAction = defineAction({
  permission: "suppression:manage",
  input: z.object({
    id: z.string().default(""),
    // When the form's suppression was last changed: a save is refused if it changed since (lib/triage).
    version: z
      .string()
      .optional()
      .transform((v) => {
        const version = new Date(v ?? "");
        return Number.isNaN(version.getTime()) ? undefined : version;
      }),
  }),
  audit: "lib",
  run: async ({ id, version }, { actor, form }) => {
    const input = suppressionOf(form);
    await updateSuppression(id, { match: input.match, reason: input.reason, expiresAt: input.expiresAt, expectedUpdatedAt: version }, actor);
    refresh();
    return { ok: "Saved." };
  },
});

export const setSuppressionEnabledAction = defineAction({
  permission: "suppression:manage",
  input: z.object({ id: z.string().default(""), enabled: z.string().optional().transform((v) => v === "true") }),
  audit: "lib",
  run: async ({ id, enabled }, { actor }) => {
    await setSuppressionEnabled(id, enabled, actor);
    refresh();
    return { ok: enabled ? "Enabled: matching results are hidden again." : "Disabled: everything it hid is back." };
  },
});
