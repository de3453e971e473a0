// The Events page's list: keyset pages (every event once, in the table's order, forwards and back), free text in
// the message or the record, a time range, and the key event data inline.
import { beforeAll, describe, expect, it } from "vitest";
import { resetDatabase } from "../../tests/db-setup";
import { db } from "../db/client";
import { store29 } from "../../tests/support/iis-events";
import { eventListParams, listEvents } from "./queries";

const base = Date.parse("2026-10-01T00:00:00Z");
const minute = (m: number) => new Date(base + m * 60_000).toISOString();

beforeAll(async () => {
  await resetDatabase();
  // 95 events on three hosts, some at the same instant (ties broken by id); every 10th adds a module.
  await store29(
    Array.from({ length: 95 }, (_, i) => ({
      host: `web0${i % 3}`,
      time: minute(Math.floor(i / 2)),
      configuration: i % 10 === 0 ? `/system.webServer/globalModules/add[@name="Mod${i}"]` : `/system.web/customErrors/error[@statusCode="${400 + i}"]`,
    })),
  );
});

async function walk(query: Record<string, string>, direction: "after" | "before", start?: string): Promise<string[][]> {
  const pages: string[][] = [];
  let cursor = start;
  for (let guard = 0; guard < 50; guard++) {
    const page = await listEvents(eventListParams.parse({ size: "10", ...query, ...(cursor ? { [direction]: cursor } : {}) }), { keyset: true });
    pages.push(page.rows.map((r) => r.id));
    cursor = direction === "after" ? (page.keyset!.next ?? undefined) : (page.keyset!.previous ?? undefined);
    if (!cursor) break;
  }
  return pages;
}

describe("events list", () => {
  it("pages through every event once in the table's order, by keyset, forwards and back", async () => {
    for (const sort of ["time", "host", "eventCode"]) {
      for (const dir of ["desc", "asc"]) {
        const column = { time: "time", host: "host", eventCode: "event_code" }[sort]!;
        const expected = (await db().$queryRawUnsafe<{ id: bigint }[]>(`SELECT id FROM events ORDER BY ${column} ${dir}, id ${dir}`)).map((r) => String(r.id));
        const forwards = await walk({ sort, dir }, "after");
        expect(forwards.flat(), `${sort} ${dir}`).toEqual(expected);
        expect(forwards.map((p) => p.length)).toEqual([10, 10, 10, 10, 10, 10, 10, 10, 10, 5]);
        // Back from the last page's first event: the pages before it, in the same order.
        const lastPageFirst = forwards.at(-1)![0];
        const backwards = await walk({ sort, dir }, "before", lastPageFirst);
        expect(backwards.reverse().flat(), `${sort} ${dir} backwards`).toEqual(expected.slice(0, 90));
      }
    }
  });

  it("finds free text in the message or the record, any case, within a time range, and shows the key data", async () => {
    const found = await listEvents(eventListParams.parse({ q: "globalmodules/ADD", size: "50" }), { keyset: true });
    expect(found.total).toBe(10);
    expect(found.rows.every((r) => /globalModules\/add/.test(r.message ?? ""))).toBe(true);
    const inRange = await listEvents(eventListParams.parse({ from: "2026-10-01T00:10", to: "2026-10-01T00:20", size: "50" }), { keyset: true });
    expect(inRange.total).toBe(20);
    expect(inRange.rows.every((r) => r.time >= minute(10) && r.time < minute(20))).toBe(true);
    expect(found.rows[0].data).toContainEqual(["ConfigPath", expect.any(String)]);
    // Hostile values are no filter, never an error.
    const hostile = eventListParams.parse({ q: "a\u0000b", from: "yesterday", after: "1e9", before: "99999999999999999999" });
    expect([hostile.q, hostile.from, hostile.after, hostile.before]).toEqual([undefined, undefined, undefined, undefined]);
  });
});
