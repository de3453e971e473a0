// GET /api/auth/me — who the request is authenticated as (session cookie or API token), and what it may do.
// Handy to check an API token: curl -H "Authorization: Bearer iisw_…" http://host:3000/api/auth/me
import { ALL_PERMISSIONS } from "@/lib/auth/permissions";
import { authorize, can } from "@/lib/auth/server";

export const dynamic = "force-dynamic";

export async function GET(request: Request) {
  const auth = await authorize(request, "data:read");
  if (auth instanceof Response) return auth;
  return Response.json(
    { id: auth.id, username: auth.username, role: auth.role, via: auth.via, permissions: ALL_PERMISSIONS.filter((p) => can(auth, p)) },
    { headers: { "Cache-Control": "no-store" } },
  );
}
