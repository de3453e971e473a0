// GET /api/audit/export?actor=&action=&targetType=&targetId=&address=&from=&to= — the matching audit entries as
// CSV (oldest first, streamed), formula-injection safe. Admins only, signed in (API tokens cannot read it).
// Unusable filters are a 400 and the first rows are read before answering (lib/audit/queries.ts auditCsvExport):
// an export is never silently cut short nor wider than asked.
import { NextResponse } from "next/server";
import { authorize } from "@/lib/auth/server";
import { auditCsvExport, auditExportFilter } from "@/lib/audit/queries";

export const dynamic = "force-dynamic";

export async function GET(request: Request) {
  const auth = await authorize(request, "audit:read");
  if (auth instanceof Response) return auth;
  const parsed = auditExportFilter(new URL(request.url).searchParams);
  if ("error" in parsed) return NextResponse.json({ error: parsed.error }, { status: 400, headers: { "Cache-Control": "no-store" } });
  const stamp = new Date().toISOString().slice(0, 19).replace(/[-:]/g, "").replace("T", "-");
  return new Response(await auditCsvExport(parsed.filter), {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="iiswatch-audit-${stamp}.csv"`,
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
