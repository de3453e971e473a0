"use server";
// Detection settings (admins: enable/disable, risk score) and ad-hoc runs (ES "run search", for every reader),
// checked on the server by defineAction.
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { defineAction } from "@/lib/actions/define-action";
import { runAdhoc, updateDetectionSetting } from "@/lib/detections";

const detectionId = z.string({ error: "Unknown detection." }).max(100, "Unknown detection.");
const RISK_SCORE = "The risk score must be a whole number from 1 to 100 (or empty for the ESCU default).";

export const updateSettingsAction = defineAction({
  permission: "settings:manage",
  input: z.object({
    id: detectionId,
    enabled: z.enum(["true", "false"], { error: "Choose enabled or disabled." }).transform((v) => v === "true"),
    riskScore: z
      .string({ error: RISK_SCORE })
      .trim()
      .refine((v) => v === "" || (Number.isInteger(Number(v)) && Number(v) >= 1 && Number(v) <= 100), RISK_SCORE)
      .transform((v) => (v === "" ? null : Number(v))),
  }),
  audit: "lib",
  run: async ({ id, enabled, riskScore }, { actor }) => {
    await updateDetectionSetting(id, { enabled, riskScore }, actor);
    revalidatePath("/detections");
    return { ok: `Saved: ${enabled ? "enabled" : "disabled"}, risk score ${riskScore ?? "ESCU default"}.` };
  },
});

/** A datetime-local value, which is UTC here (like every time the dashboard shows). */
const utcTime = z
  .string({ error: "Give a start and an end time." })
  .transform((v) => new Date(`${v}Z`))
  .pipe(z.date({ error: "Give a start and an end time." }));

/** The range as the user typed it (datetime-local text): the form shows it again after the run, or after a refusal. */
const typedRange = (fields: { from?: string; to?: string }) => ({ from: (fields.from ?? "").slice(0, 40), to: (fields.to ?? "").slice(0, 40) });

export const adhocRunAction = defineAction({
  // A search, not a change: anyone who may read may run it (it reports nothing, so there is nothing to audit).
  permission: "data:read",
  input: z
    .object({ id: detectionId, from: utcTime, to: utcTime })
    .refine((range) => range.from < range.to, { path: ["to"], error: "The start must be before the end." }),
  audit: "read-only",
  echo: typedRange,
  run: async ({ id, from, to }, { form }) => {
    const [result] = await runAdhoc({ detectionId: id, from, to, trigger: "ui" });
    const typed = typedRange({ from: String(form.get("from") ?? ""), to: String(form.get("to") ?? "") });
    return { rows: result.rows.map((r) => r.fields), ranAt: new Date().toISOString(), ...typed };
  },
});
