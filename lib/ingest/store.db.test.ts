// The bulk writer's two ways of staging events — COPY on PostgreSQL, unnest arrays on the embedded database — are
// derived from one column list: both must store an event identically, awkward characters included.
import { beforeEach, describe, expect, it } from "vitest";
import { resetDatabase } from "../../tests/db-setup";
import { event29Parts, normalized } from "../../tests/support/iis-events";
import { db } from "../db/client";
import { isEmbeddedServer, pgPool } from "../db/pg";
import { query, sql } from "../db/sql";
import { storeEvents } from "./store";

beforeEach(resetDatabase);

// Tab, newline, carriage return and backslash are COPY's own syntax; NUL cannot be stored and becomes U+FFFD.
const AWKWARD = 'a\tb\nc\rd\\e\u0000f "g" \'h\'';

async function storedWith(method: "copy" | "unnest") {
  await resetDatabase();
  const upload = await db().upload.create({ data: { filename: "t", status: "done" } });
  const events = normalized([event29Parts({ host: "Web01", time: "2026-11-01T10:00:00.1234567Z", configuration: `/x/add[@name="${AWKWARD}"]`, recordId: 7 }, "xml")], "xml");
  const client = await pgPool().connect();
  try {
    expect(await storeEvents(client, upload.id, events, method)).toEqual({ stored: 1, duplicates: 0, expired: 0 });
  } finally {
    client.release();
  }
  const rows = await query<Record<string, unknown>>(sql`SELECT * FROM events`);
  // Everything but what differs between two stores by nature: the row id and the upload's id.
  return rows.map(({ id, upload_id, ...row }) => (void id, void upload_id, row));
}

describe("the bulk writer", () => {
  it("stores an event the same whether staged by COPY or by unnest", async () => {
    const viaUnnest = await storedWith("unnest");
    expect(viaUnnest[0]).toMatchObject({ host: "Web01", host_id: "web01", event_code: 29, record_id: "7" });
    expect((viaUnnest[0].data as Record<string, string>).Configuration).toBe(`/x/add[@name="${AWKWARD.replace("\u0000", "\uFFFD")}"]`);
    // The embedded database has no COPY over its socket (the ingest job uses unnest there, for that reason): the
    // comparison is made where both ways exist.
    if (!(await isEmbeddedServer())) expect(await storedWith("copy")).toEqual(viaUnnest);
  });
});
