// GET /api/detections: the detections with their settings (enabled, risk score, severity) and activity.
import { NextResponse } from "next/server";
import { authorize } from "@/lib/auth/server";
import { detectionActivity, listDetections } from "@/lib/detections";

export const dynamic = "force-dynamic";

export async function GET(request: Request) {
  const auth = await authorize(request, "data:read");
  if (auth instanceof Response) return auth;
  const [detections, activity] = await Promise.all([listDetections(), detectionActivity()]);
  return NextResponse.json({
    detections: detections.map((d) => ({
      id: d.spec.id,
      name: d.spec.name,
      type: d.spec.type,
      enabled: d.enabled,
      riskScore: d.riskScore,
      severity: d.severity,
      search: d.spec.search,
      results: activity.get(d.spec.id)?.results ?? 0,
      lastRunTime: activity.get(d.spec.id)?.lastRunTime ?? null,
    })),
  });
}
