// Splunk HTTP Event Collector: POST /services/collector/ack, indexer acknowledgement status (lib/hec/receive.ts).
import { handleAck } from "@/lib/hec/receive";

export const dynamic = "force-dynamic";

export function POST(request: Request) {
  return handleAck(request);
}
