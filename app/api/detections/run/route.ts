// POST /api/detections/run {"from": ISO, "to": ISO, "detectionId"?: id} — ES "run search": the detections'
// result rows over any event-time range. Like ES's ad-hoc search it creates no risk events or notables.
import { NextResponse } from "next/server";
import { z } from "zod";
import { authorize } from "@/lib/auth/server";
import { runAdhoc, UnknownDetectionError } from "@/lib/detections";

export const dynamic = "force-dynamic";

const body = z.object({
  from: z.iso.datetime({ offset: true }).transform((v) => new Date(v)),
  to: z.iso.datetime({ offset: true }).transform((v) => new Date(v)),
  detectionId: z.string().max(100).optional(),
});

export async function POST(request: Request) {
  const auth = await authorize(request, "data:read");
  if (auth instanceof Response) return auth;
  const parsed = body.safeParse(await request.json().catch(() => null));
  if (!parsed.success) return NextResponse.json({ error: "expected {\"from\": ISO time, \"to\": ISO time, \"detectionId\"?: id}" }, { status: 400 });
  if (!(parsed.data.from < parsed.data.to)) return NextResponse.json({ error: "'from' must be before 'to'" }, { status: 400 });
  try {
    const results = await runAdhoc({ ...parsed.data, trigger: `api:${auth.username}` });
    return NextResponse.json({ results: results.map((r) => ({ detectionId: r.detectionId, rows: r.rows.map((row) => row.fields) })) });
  } catch (e) {
    if (e instanceof UnknownDetectionError) return NextResponse.json({ error: e.message }, { status: 404 });
    throw e;
  }
}
