// "Load demo data": the demo fleet is written to a file and received as any upload is (queued, then processed and
// evaluated by the detections by the workers, as the hourly schedule would have). Deleting that upload removes it.
import fs from "node:fs";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { queryOne, sql } from "../db/sql";
import { receiveOwnFile } from "../ingest/uploads";
import { DEFAULT_FLEET, demoFleetRecords, type DemoFleet, type FleetOptions } from "./fleet";
import { UserFacingError } from "../errors/user-facing-error";

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

export class DashboardHasDataError extends UserFacingError {
  name = "DashboardHasDataError";
}

/** Whether the dashboard holds data of its own (any upload not failed): demo data is only for an empty one. */
export async function hasData(): Promise<boolean> {
  const row = await queryOne<{ any: boolean }>(sql`SELECT EXISTS (SELECT 1 FROM uploads WHERE status <> 'failed') OR EXISTS (SELECT 1 FROM events) AS any`);
  return row?.any ?? false;
}

/**
 * Queues the demo fleet ending now as an upload (the workers store it and run the detections). Refused on a
 * dashboard that already has data, so demo hosts never mix with real ones. Resolves once queued.
 */
export async function loadDemoData(options: Partial<FleetOptions> & { uploadedById?: string | null } = {}): Promise<{ fleet: DemoFleet; uploadId: string }> {
  if (await hasData()) throw new DashboardHasDataError("this dashboard already has data: demo data is only loaded into an empty one (delete its uploads first)");
  const { uploadedById, ...fleetOptions } = options;
  let fleet: DemoFleet | undefined;
  const uploadId = await receiveOwnFile(
    DEMO_FILENAME,
    async (file) => {
      fleet = await writeDemoFleet(file, { ...DEFAULT_FLEET, end: new Date(), ...fleetOptions });
    },
    { uploadedById },
  );
  return { fleet: fleet!, uploadId };
}
