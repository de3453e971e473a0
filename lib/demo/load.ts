// "Load demo data": the demo fleet is written to a file and ingested through the same pipeline as any upload,
// then the detections run over it as the hourly schedule would have.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { db } from "../db/client";
import { runForNewEvents } from "../detections";
import { processUpload, type UploadProgress } from "../ingest/pipeline";
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

export async function loadDemoData(options: Partial<FleetOptions> = {}): Promise<{ fleet: DemoFleet; upload: UploadProgress; uploadId: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "iiswatch-demo-"));
  const file = path.join(dir, DEMO_FILENAME);
  try {
    const fleet = await writeDemoFleet(file, { ...DEFAULT_FLEET, end: new Date(), ...options });
    const upload = await db().upload.create({ data: { filename: DEMO_FILENAME, status: "queued" } });
    const progress = await processUpload(upload.id, file);
    await runForNewEvents(upload.id);
    return { fleet, upload: progress, uploadId: upload.id };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
