"use server";
// Detection settings (admins: enable/disable, risk score) and ad-hoc runs (ES "run search", for every reader),
// checked on the server.
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { AuthorizationError, authorizeAction } from "@/lib/auth/server";
import { runAdhoc, UnknownDetectionError, updateDetectionSetting } from "@/lib/detections";

export interface SettingsState {
  error?: string;
  ok?: string;
}

const settingsForm = z.object({
  id: z.string().max(100),
  enabled: z.enum(["true", "false"]).transform((v) => v === "true"),
  riskScore: z
    .string()
    .trim()
    .transform((v) => (v === "" ? null : Number(v)))
    .pipe(z.number().int().min(1).max(100).nullable()),
});

export async function updateSettingsAction(_prev: SettingsState, form: FormData): Promise<SettingsState> {
  try {
    const actor = await authorizeAction("settings:manage");
    const parsed = settingsForm.safeParse(Object.fromEntries(form));
    if (!parsed.success) return { error: "The risk score must be a whole number from 1 to 100 (or empty for the ESCU default)." };
    const { id, enabled, riskScore } = parsed.data;
    await updateDetectionSetting(id, { enabled, riskScore }, actor);
    revalidatePath("/detections");
    return { ok: `Saved: ${enabled ? "enabled" : "disabled"}, risk score ${riskScore ?? "ESCU default"}.` };
  } catch (e) {
    if (e instanceof AuthorizationError || e instanceof UnknownDetectionError) return { error: e.message };
    throw e;
  }
}

export interface AdhocState {
  error?: string;
  rows?: Record<string, unknown>[];
  ranAt?: string;
  /** The range as the user typed it (datetime-local text): the form shows it again after the run. */
  from?: string;
  to?: string;
}

const adhocForm = z.object({
  id: z.string().max(100),
  from: z.coerce.date(),
  to: z.coerce.date(),
});

export async function adhocRunAction(_prev: AdhocState, form: FormData): Promise<AdhocState> {
  try {
    // A search, not a change: anyone who may read may run it (it reports nothing).
    await authorizeAction("data:read");
    const typed = { from: String(form.get("from") ?? "").slice(0, 40), to: String(form.get("to") ?? "").slice(0, 40) };
    const parsed = adhocForm.safeParse({ id: form.get("id"), from: `${form.get("from")}Z`, to: `${form.get("to")}Z` });
    if (!parsed.success || Number.isNaN(parsed.data.from.getTime()) || Number.isNaN(parsed.data.to.getTime())) return { error: "Give a start and an end time.", ...typed };
    if (!(parsed.data.from < parsed.data.to)) return { error: "The start must be before the end.", ...typed };
    const [result] = await runAdhoc({ detectionId: parsed.data.id, from: parsed.data.from, to: parsed.data.to, trigger: "ui" });
    return { rows: result.rows.map((r) => r.fields), ranAt: new Date().toISOString(), ...typed };
  } catch (e) {
    if (e instanceof AuthorizationError || e instanceof UnknownDetectionError) return { error: e.message };
    throw e;
  }
}
