import { describe, expect, it } from "vitest";
import { rangeParams, resolveRange } from "./range";

const now = new Date("2026-11-23T12:00:00Z");
const bounds = { first: new Date("2026-10-01T00:00:00Z"), last: new Date("2026-11-20T08:30:00Z") };

describe("view time ranges", () => {
  it("ends relative ranges at now", () => {
    const r = resolveRange(rangeParams.parse({ range: "24h" }), bounds, now);
    expect(r.from.toISOString()).toBe("2026-11-22T12:00:00.000Z");
    expect(r.to).toEqual(now);
  });

  it("spans the data for 'all', including its last event", () => {
    const r = resolveRange(rangeParams.parse({ range: "all" }), bounds, now);
    expect(r.from).toEqual(bounds.first);
    expect(r.to.getTime()).toBe(bounds.last.getTime() + 1);
  });

  it("takes a custom range from the URL, in either order", () => {
    const r = resolveRange(rangeParams.parse({ range: "custom", from: "2026-11-02T00:00:00Z", to: "2026-11-01T00:00:00Z" }), bounds, now);
    expect(r.from.toISOString()).toBe("2026-11-01T00:00:00.000Z");
    expect(r.to.toISOString()).toBe("2026-11-02T00:00:00.000Z");
  });

  it("falls back to 7 days for a range it does not know, and ignores unreadable times", () => {
    const p = rangeParams.parse({ range: "fortnight", from: "yesterday-ish" });
    expect(p.range).toBe("7d");
    expect(p.from).toBeUndefined();
  });
});
