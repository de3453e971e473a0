// Splunk HTTP Event Collector: POST /services/collector/event, concatenated JSON events (lib/hec/receive.ts).
import { handleEvent } from "@/lib/hec/receive";

export const dynamic = "force-dynamic";

export function POST(request: Request) {
  return handleEvent(request);
}
