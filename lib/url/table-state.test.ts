import { describe, expect, it } from "vitest";
import { auditFilterParams } from "../audit/queries";
import { resultListParams } from "../detections/result-list";
import { HOST_SORTS, hostListParams } from "../hosts/queries";
import { EVENT_SORTS, eventListParams } from "../ingest/queries";
import { NOTABLE_SORTS, notableListParams, suppressionListParams } from "../triage/fields";
import { encodeQuery, MAX_PAGE, PAGE_SIZES } from "./table-state";

const PAGED = { hosts: hostListParams, events: eventListParams, notables: notableListParams, audit: auditFilterParams, results: resultListParams };
const SORTED = [
  { name: "hosts", schema: hostListParams, ids: HOST_SORTS, default: "finding" },
  { name: "events", schema: eventListParams, ids: EVENT_SORTS, default: "time" },
  { name: "notables", schema: notableListParams, ids: NOTABLE_SORTS, default: "time" },
] as const;
/** Values no table can use for its page, size, sort or direction. */
const GARBAGE = ["\u0000", "99999999999999999999999", "-1", "", "%", "\u202Eevil", "x".repeat(5000), ["1", "\u0000"], "NaN", "2.5"];
/** Odd but readable as numbers (as JavaScript reads them): the schema may take them, it must not throw. */
const ODD = ["0x1f", " 1", "1e3"];

describe("every table's URL state", () => {
  it("has the same page bounds and page sizes on every paged table", () => {
    for (const [name, schema] of Object.entries(PAGED)) {
      for (const size of PAGE_SIZES) expect(schema.parse({ size: String(size) }).size, name).toBe(size);
      const fallback = schema.parse({}).size;
      for (const size of ["9", "30", "201", "500", "100000"]) expect(schema.parse({ size }).size, `${name} size=${size}`).toBe(fallback);
      expect(schema.parse({ page: String(MAX_PAGE) }).page, name).toBe(MAX_PAGE);
      expect(schema.parse({ page: String(MAX_PAGE + 1) }).page, name).toBe(1);
    }
  });

  it("never throws on hostile values: each falls back to the default view", () => {
    for (const schema of [...Object.values(PAGED), suppressionListParams]) {
      const defaults = schema.parse({});
      for (const value of [...GARBAGE, ...ODD]) {
        const everywhere = Object.fromEntries(Object.keys(schema.shape).map((key) => [key, value]));
        expect(() => schema.parse(everywhere)).not.toThrow();
      }
      for (const value of GARBAGE) {
        for (const key of ["page", "size", "sort", "dir"].filter((k) => k in schema.shape)) {
          const parsed = schema.parse({ [key]: value }) as Record<string, unknown>;
          expect(parsed[key], `${key}=${JSON.stringify(value)}`).toEqual((defaults as Record<string, unknown>)[key]);
        }
      }
    }
  });

  it("reads a sort id that names no sortable column as the table's default sort", () => {
    for (const table of SORTED) {
      for (const id of table.ids) expect(table.schema.parse({ sort: id }).sort).toBe(id);
      for (const sort of ["bogus", "modules", "raw", "HOST", "time;drop table"]) expect(table.schema.parse({ sort }).sort, `${table.name} sort=${sort}`).toBe(table.default);
    }
  });

  it("writes a table's state back to a query string that parses to the same state, defaults left out", () => {
    const state = eventListParams.parse({ host: "web01", code: "29", from: "2026-10-01T00:10", sort: "host", dir: "asc", size: "200" });
    const query = encodeQuery(state, eventListParams.parse({}));
    expect(query).toBe("host=web01&code=29&from=2026-10-01T00%3A10%3A00.000Z&sort=host&dir=asc&size=200");
    expect(eventListParams.parse(Object.fromEntries(new URLSearchParams(query)))).toEqual(state);
  });
});
