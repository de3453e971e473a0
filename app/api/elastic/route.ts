// Elasticsearch's `GET /` for Beats (next.config.js rewrites `/` here when the request carries credentials and no
// session): lib/hec/elastic.ts.
import { handleRoot } from "@/lib/hec/elastic";

export const dynamic = "force-dynamic";

export function GET(request: Request) {
  return handleRoot(request);
}
