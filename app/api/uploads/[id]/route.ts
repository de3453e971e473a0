// GET /api/uploads/{id}: the upload's status and report (records read, stored, duplicate, rejected, and each
// rejected record's position and reason: the first 500, or ?rejections=N of them — 0 for a progress poll).
// DELETE /api/uploads/{id} (admins, signed-in sessions: API tokens never carry admin rights): deletes the upload,
// the events only it holds and what was derived only from them; audited. 409 while it is still in progress.
import { NextResponse } from "next/server";
import { z } from "zod";
import { authorize } from "@/lib/auth/server";
import { getUploadReport, uploadJson } from "@/lib/ingest/queries";
import { deleteUpload, UploadInProgressError } from "@/lib/pipeline/delete-upload";

export const dynamic = "force-dynamic";

export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const user = await authorize(request, "data:read");
  if (user instanceof Response) return user;
  const rejections = z.coerce.number().int().min(0).max(500).catch(500).parse(new URL(request.url).searchParams.get("rejections") ?? undefined);
  const report = await getUploadReport((await params).id, rejections);
  if (!report) return NextResponse.json({ error: "no such upload" }, { status: 404 });
  return NextResponse.json(uploadJson(report));
}

export async function DELETE(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const user = await authorize(request, "upload:delete");
  if (user instanceof Response) return user;
  const id = (await params).id;
  if (!z.uuid().safeParse(id).success) return NextResponse.json({ error: "no such upload" }, { status: 404 });
  try {
    const deleted = await deleteUpload(id, user);
    if (!deleted) return NextResponse.json({ error: "no such upload" }, { status: 404 });
    return NextResponse.json({ deleted });
  } catch (e) {
    if (e instanceof UploadInProgressError) return NextResponse.json({ error: e.message }, { status: 409 });
    throw e;
  }
}
