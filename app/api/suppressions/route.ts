// GET /api/suppressions: every false-positive suppression (?detection=, ?state=active|disabled|expired, ?dest=),
// and each detection's `_filter` macro as it stands (the SPL to paste into Splunk).
import { NextResponse } from "next/server";
import { authorize } from "@/lib/auth/server";
import { filterMacros, listSuppressions, suppressionListParams } from "@/lib/triage";

export const dynamic = "force-dynamic";

export async function GET(request: Request) {
  const auth = await authorize(request, "data:read");
  if (auth instanceof Response) return auth;
  const p = suppressionListParams.parse(Object.fromEntries(new URL(request.url).searchParams));
  const [suppressions, macros] = await Promise.all([listSuppressions({ detectionId: p.detection, state: p.state, dest: p.dest }), filterMacros()]);
  return NextResponse.json({ suppressions, filterMacros: macros });
}
