// Splunk HTTP Event Collector: GET /services/collector/health/1.0, answered without a token as splunkd does (lib/hec/receive.ts).
import { handleHealth } from "@/lib/hec/receive";

export const dynamic = "force-dynamic";

export function GET() {
  return handleHealth();
}
