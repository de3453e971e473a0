// Splunk HTTP Event Collector: POST /services/collector (the same as /services/collector/event). lib/hec/receive.ts
// does the work; `Authorization: Splunk <HEC token>` (tokens: /admin/hec).
import { handleEvent } from "@/lib/hec/receive";

export const dynamic = "force-dynamic";

export function POST(request: Request) {
  return handleEvent(request);
}
