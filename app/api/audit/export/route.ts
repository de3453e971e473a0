// GET /api/audit/export?actor=&action=&targetType=&targetId=&address=&from=&to= — the matching audit entries as
// CSV (oldest first, streamed), formula-injection safe. Admins only, signed in (API tokens cannot read it).
import { authorize } from "@/lib/auth/server";
import { auditCsvStream, auditFilterParams } from "@/lib/audit/queries";

export const dynamic = "force-dynamic";

export async function GET(request: Request) {
  const auth = await authorize(request, "audit:read");
  if (auth instanceof Response) return auth;
  const filter = auditFilterParams.parse(Object.fromEntries(new URL(request.url).searchParams));
  const stamp = new Date().toISOString().slice(0, 19).replace(/[-:]/g, "").replace("T", "-");
  return new Response(auditCsvStream(filter), {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="iiswatch-audit-${stamp}.csv"`,
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
