// POST /api/uploads?filename=NAME[&format=auto|xml|evtx|classic|json|csv][&host=H&channel=C] with the file as the
// raw request body (host/channel: for Event Viewer CSV, which carries neither). An IIS module inventory (an
// applicationHost.config with host=H, or `Get-WebGlobalModule | ConvertTo-Json`) is recognised when no format is
// given and stored as the host's module snapshot, not as events (lib/inventory).
// The body is streamed to the spool (never held in memory); once it has fully arrived (size and SHA-256 recorded)
// it is queued for the workers, and 202 answers with its id: poll GET /api/uploads/{id} for the report. GET /api/uploads lists recent uploads.
// Auth: a signed-in session (same-origin for POST) or `Authorization: Bearer <API token>` (lib/auth/server.ts).
import { NextResponse, type NextRequest } from "next/server";
import { authorize } from "@/lib/auth/server";
import { writeAudit } from "@/lib/audit/log";
import { z } from "zod";
import { ingestLimits } from "@/lib/ingest/limits";
import { listUploads, uploadJson } from "@/lib/ingest/queries";
import { parseFormatOverride, receiveUpload, UploadCutOffError, UploadTooLargeError } from "@/lib/ingest/uploads";

export const dynamic = "force-dynamic";

const plainName = z.string().trim().min(1).max(255).regex(/^[^\u0000-\u001f<>]+$/);
const recordDefaults = z.object({ host: plainName.optional(), channel: plainName.optional() });

export async function POST(request: NextRequest) {
  const user = await authorize(request, "upload:create");
  if (user instanceof Response) return user;
  const filename = request.nextUrl.searchParams.get("filename")?.trim() || "upload";
  let format;
  try {
    format = parseFormatOverride(request.nextUrl.searchParams.get("format"));
  } catch (e) {
    return NextResponse.json({ error: (e as Error).message }, { status: 400 });
  }
  const defaults = recordDefaults.safeParse({
    host: request.nextUrl.searchParams.get("host") || undefined,
    channel: request.nextUrl.searchParams.get("channel") || undefined,
  });
  if (!defaults.success) return NextResponse.json({ error: "host and channel must be plain names of at most 255 characters" }, { status: 400 });
  const declared = Number(request.headers.get("content-length") ?? NaN);
  const { maxUploadBytes } = ingestLimits();
  if (declared > maxUploadBytes) {
    return NextResponse.json({ error: `the file is larger than the ${maxUploadBytes.toLocaleString("en")}-byte upload limit` }, { status: 413 });
  }
  if (!request.body) return NextResponse.json({ error: "the request has no body: send the file as the request body" }, { status: 400 });
  try {
    const id = await receiveUpload({
      filename,
      body: request.body,
      format,
      defaults: defaults.data,
      uploadedById: user.id,
      expectedBytes: Number.isFinite(declared) ? declared : undefined,
    });
    await writeAudit(user, { action: "upload.create", targetType: "upload", targetId: id, after: { filename, format: format ?? "auto", via: user.via } });
    return NextResponse.json({ id }, { status: 202 });
  } catch (e) {
    const status = e instanceof UploadTooLargeError ? 413 : e instanceof UploadCutOffError ? 400 : 500;
    return NextResponse.json({ error: e instanceof Error ? e.message : String(e) }, { status });
  }
}

export async function GET(request: NextRequest) {
  const user = await authorize(request, "data:read");
  if (user instanceof Response) return user;
  const uploads = await listUploads();
  return NextResponse.json({ uploads: uploads.map(uploadJson) });
}
