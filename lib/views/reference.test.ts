import { describe, expect, it } from "vitest";
import { referenceTime } from "./reference";

const now = new Date("2026-11-23T12:00:00Z");
const hoursBefore = (h: number) => new Date(now.getTime() - h * 3_600_000);

describe("the reference time a window view ends at", () => {
  it("is now when the latest data is inside the window ending now", () => {
    expect(referenceTime(undefined, hoursBefore(100), 168, now)).toEqual({ at: now, historical: false, explanation: "now" });
    expect(referenceTime(undefined, null, 168, now)).toMatchObject({ at: now, historical: false });
  });

  it("is just after the latest data when the data is historical, and says so", () => {
    const latest = hoursBefore(24 * 30);
    expect(referenceTime(undefined, latest, 168, now)).toEqual({
      at: new Date(latest.getTime() + 1000),
      historical: true,
      explanation: "just after the latest risk event: there is none in the window ending now",
    });
  });

  it("is the time asked for, or now when asked for now even with historical data", () => {
    expect(referenceTime("2025-01-02T03:04:05Z", hoursBefore(24 * 30), 168, now)).toEqual({ at: new Date("2025-01-02T03:04:05Z"), historical: false, explanation: "the time you chose" });
    expect(referenceTime("now", hoursBefore(24 * 30), 168, now)).toMatchObject({ at: now, historical: false });
    // An unreadable time is ignored.
    expect(referenceTime("yesterday-ish", hoursBefore(24 * 30), 168, now)).toMatchObject({ historical: true });
  });
});

describe("the analyst's 'as of' choice", () => {
  it("is automatic, now, or a time (a datetime-local value is UTC); anything else is refused", async () => {
    const { asOfChoice } = await import("./as-of");
    expect(asOfChoice.parse("auto")).toBe("auto");
    expect(asOfChoice.parse("now")).toBe("now");
    expect(asOfChoice.parse("2026-10-02T11:01")).toBe("2026-10-02T11:01:00.000Z");
    expect(asOfChoice.parse("2026-10-02T11:01:30.000Z")).toBe("2026-10-02T11:01:30.000Z");
    for (const bad of ["", "yesterday", "2026-13-45T99:99", "x".repeat(100), "2026-10-02T11:01\u0000"]) expect(asOfChoice.safeParse(bad).success, bad).toBe(false);
  });
});
