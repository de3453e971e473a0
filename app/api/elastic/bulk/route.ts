// Elasticsearch's `POST /_bulk` and `POST /<index>/_bulk` for Beats (rewritten here by next.config.js, the index as
// `?index=`): lib/hec/elastic.ts.
import { handleBulk } from "@/lib/hec/elastic";

export const dynamic = "force-dynamic";

export function POST(request: Request) {
  return handleBulk(request, new URL(request.url).searchParams.get("index"));
}
