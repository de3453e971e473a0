// GET /api/uploads/{id}: the upload's status and report (records read, stored, duplicate, rejected, and each
// rejected record's position and reason).
import { NextResponse } from "next/server";
import { authorize } from "@/lib/auth/server";
import { getUploadReport, uploadJson } from "@/lib/ingest/queries";

export const dynamic = "force-dynamic";

export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const user = await authorize(request, "data:read");
  if (user instanceof Response) return user;
  const report = await getUploadReport((await params).id);
  if (!report) return NextResponse.json({ error: "no such upload" }, { status: 404 });
  return NextResponse.json(uploadJson(report));
}
