// Elasticsearch's `GET /_license` for Beats (rewritten here by next.config.js): lib/hec/elastic.ts.
import { handleLicense } from "@/lib/hec/elastic";

export const dynamic = "force-dynamic";

export function GET(request: Request) {
  return handleLicense(request);
}
