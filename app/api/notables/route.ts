// GET /api/notables: the notables queue, with the same parameters as the Notables page's URL (status, urgency,
// owner, detection, dest, disposition, suppressed, sort, dir, page, size).
import { NextResponse } from "next/server";
import { authorize } from "@/lib/auth/server";
import { listNotables, notableListParams } from "@/lib/triage";

export const dynamic = "force-dynamic";

export async function GET(request: Request) {
  const auth = await authorize(request, "data:read");
  if (auth instanceof Response) return auth;
  const params = notableListParams.parse(Object.fromEntries(new URL(request.url).searchParams));
  const { total, rows } = await listNotables(params, auth.id);
  return NextResponse.json({ total, page: params.page, size: params.size, notables: rows });
}
