// Splunk HTTP Event Collector: POST /services/collector/raw, log text broken into events server-side (lib/hec/receive.ts).
import { handleRaw } from "@/lib/hec/receive";

export const dynamic = "force-dynamic";

export function POST(request: Request) {
  return handleRaw(request);
}
