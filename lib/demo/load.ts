// "Load demo data": the demo fleet is written to a file and ingested as any upload is (the upload queue, then the
// after-upload step: the detections run over it as the hourly schedule would have).
import fs from "node:fs";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { ingestOwnFile } from "../ingest/uploads";
import { DEFAULT_FLEET, demoFleetRecords, type DemoFleet, type FleetOptions } from "./fleet";

export const DEMO_FILENAME = "demo-fleet.xml";

export async function writeDemoFleet(file: string, options: FleetOptions): Promise<DemoFleet> {
  const lines = demoFleetRecords(options);
  let fleet: DemoFleet | undefined;
  async function* text() {
    for (;;) {
      const next = lines.next();
      if (next.done) {
        fleet = next.value;
        return;
      }
      yield next.value + "\n";
    }
  }
  await pipeline(Readable.from(text()), fs.createWriteStream(file));
  return fleet!;
}

/** The demo fleet ending now, ingested as an upload (queue, detections after it, as for any upload). */
export async function loadDemoData(options: Partial<FleetOptions> = {}): Promise<{ fleet: DemoFleet; upload: { stored: number; duplicates: number }; uploadId: string }> {
  let fleet: DemoFleet | undefined;
  const { uploadId, ...upload } = await ingestOwnFile(DEMO_FILENAME, async (file) => {
    fleet = await writeDemoFleet(file, { ...DEFAULT_FLEET, end: new Date(), ...options });
  });
  return { fleet: fleet!, upload, uploadId };
}
