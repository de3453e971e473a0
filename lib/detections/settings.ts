// Per-installation settings of a detection (DetectionSetting): enabled, and a risk score overriding the spec's.
// A spec plus its settings is the detection the engine runs.
import { z } from "zod";
import { writeAudit, SYSTEM_ACTOR, type Actor } from "../audit/log";
import { db } from "../db/client";
import { scoredRisk, type ScoredRisk } from "./rba";
import { DETECTION_SPECS, specById } from "./specs";
import type { DetectionSpec } from "./spec";
import { UserFacingError } from "../errors/user-facing-error";

/** A detection as it runs here: its spec, its settings, and the risk they give (rba.ts). */
export interface Detection extends ScoredRisk {
  spec: DetectionSpec;
  enabled: boolean;
  /** The admin's override, or null when the spec's scores apply. */
  riskScoreOverride: number | null;
  settingsUpdatedAt: Date | null;
}

interface SettingRow {
  enabled: boolean;
  riskScore: number | null;
  updatedAt: Date;
}

export function withSettings(spec: DetectionSpec, setting: SettingRow | null): Detection {
  const override = setting?.riskScore ?? null;
  return {
    spec,
    enabled: setting?.enabled ?? true,
    riskScoreOverride: override,
    ...scoredRisk(spec, override),
    settingsUpdatedAt: setting?.updatedAt ?? null,
  };
}

export async function listDetections(): Promise<Detection[]> {
  const settings = await db().detectionSetting.findMany();
  const byId = new Map(settings.map((s) => [s.detectionId, s]));
  return DETECTION_SPECS.map((spec) => withSettings(spec, byId.get(spec.id) ?? null));
}

export async function getDetection(id: string): Promise<Detection | null> {
  const spec = specById(id);
  if (!spec) return null;
  return withSettings(spec, await db().detectionSetting.findUnique({ where: { detectionId: id } }));
}

export async function requireDetection(id: string): Promise<Detection> {
  const detection = await getDetection(id);
  if (!detection) throw new UnknownDetectionError(id);
  return detection;
}

export class UnknownDetectionError extends UserFacingError {
  name = "UnknownDetectionError";
  constructor(readonly detectionId: string) {
    super(`unknown detection ${detectionId}`);
  }
}

export const settingChangeSchema = z
  .object({
    enabled: z.boolean().optional(),
    /** 1-100, or null to go back to the spec's score. */
    riskScore: z.number().int().min(1).max(100).nullable().optional(),
  })
  .strict();

export type SettingChange = z.infer<typeof settingChangeSchema>;

/**
 * Changes a detection's settings and records the change (before and after) in the audit log, in one transaction.
 * Takes effect from the next run; results already reported keep the score they were reported with.
 */
export async function updateDetectionSetting(detectionId: string, change: SettingChange, actor: Actor = SYSTEM_ACTOR): Promise<Detection> {
  const parsed = settingChangeSchema.parse(change);
  if (!specById(detectionId)) throw new UnknownDetectionError(detectionId);
  await db().$transaction(async (tx) => {
    const before = await tx.detectionSetting.findUnique({ where: { detectionId } });
    const after = await tx.detectionSetting.upsert({
      where: { detectionId },
      create: { detectionId, enabled: parsed.enabled ?? true, riskScore: parsed.riskScore ?? null },
      update: {
        ...(parsed.enabled !== undefined ? { enabled: parsed.enabled } : {}),
        ...(parsed.riskScore !== undefined ? { riskScore: parsed.riskScore } : {}),
      },
    });
    await writeAudit(
      actor,
      {
        action: "detection.update",
        targetType: "detection",
        targetId: detectionId,
        before: before ? { enabled: before.enabled, riskScore: before.riskScore } : { enabled: true, riskScore: null },
        after: { enabled: after.enabled, riskScore: after.riskScore },
      },
      tx,
    );
  });
  return requireDetection(detectionId);
}
