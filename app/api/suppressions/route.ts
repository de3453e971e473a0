// GET /api/suppressions: every false-positive suppression (?detection=, ?state=active|disabled|expired, ?dest=),
// and each detection's `_filter` macro as it stands (the SPL to paste into Splunk).
import { NextResponse } from "next/server";
import { z } from "zod";
import { authorize } from "@/lib/auth/server";
import { filterMacros, listSuppressions } from "@/lib/triage";

export const dynamic = "force-dynamic";

const params = z.object({
  detection: z.string().max(100).optional().catch(undefined),
  state: z.enum(["all", "active", "disabled", "expired"]).catch("all"),
  dest: z.string().trim().max(255).optional().catch(undefined),
});

export async function GET(request: Request) {
  const auth = await authorize(request, "data:read");
  if (auth instanceof Response) return auth;
  const p = params.parse(Object.fromEntries(new URL(request.url).searchParams));
  const [suppressions, macros] = await Promise.all([listSuppressions({ detectionId: p.detection, state: p.state, dest: p.dest || undefined }), filterMacros()]);
  return NextResponse.json({ suppressions, filterMacros: macros });
}
