// Elasticsearch's `POST /_bulk` and `POST /<index>/_bulk` for Beats (rewritten here by next.config.js): lib/hec/elastic.ts.
// The index of `/<index>/_bulk` is read from the path the client asked for (a rewritten request keeps its URL), or
// `?index=` when called here directly.
import { handleBulk } from "@/lib/hec/elastic";

export const dynamic = "force-dynamic";

export function POST(request: Request) {
  const url = new URL(request.url);
  const fromPath = /^\/([^/]+)\/_bulk$/.exec(url.pathname)?.[1];
  return handleBulk(request, url.searchParams.get("index") ?? (fromPath ? decoded(fromPath) : null));
}

/** A path segment decoded, or as sent when it is no valid percent-encoding. */
function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
