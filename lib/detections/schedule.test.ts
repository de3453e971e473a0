import { describe, expect, it } from "vitest";
import { applyRelativeTime, cronTimesBetween, disjointBatches, previousCronTime, runWindowsCovering, windowForRun } from "./schedule";

const at = (iso: string) => new Date(iso);
const ESCU = { cron: "0 * * * *", earliest: "-70m@m", latest: "-10m@m" };

describe("ES schedule", () => {
  it("applies relative time modifiers with snapping", () => {
    expect(applyRelativeTime(at("2024-05-01T10:00:42Z"), "-70m@m")).toEqual(at("2024-05-01T08:50:00Z"));
    expect(applyRelativeTime(at("2024-05-01T10:07:42Z"), "-1h@h")).toEqual(at("2024-05-01T09:00:00Z"));
    expect(applyRelativeTime(at("2024-05-01T10:07:42Z"), "-1d@d")).toEqual(at("2024-04-30T00:00:00Z"));
    expect(() => applyRelativeTime(new Date(), "yesterday")).toThrow();
  });

  it("gives the 10:00 run the window [08:50, 09:50)", () => {
    expect(windowForRun(ESCU, at("2024-05-01T10:00:00Z"))).toEqual({
      runTime: at("2024-05-01T10:00:00Z"),
      start: at("2024-05-01T08:50:00Z"),
      end: at("2024-05-01T09:50:00Z"),
    });
  });

  it("lists cron times and the latest one due", () => {
    expect(cronTimesBetween("0 * * * *", at("2024-05-01T09:30:00Z"), at("2024-05-01T12:00:00Z")).map((d) => d.toISOString())).toEqual([
      "2024-05-01T10:00:00.000Z",
      "2024-05-01T11:00:00.000Z",
      "2024-05-01T12:00:00.000Z",
    ]);
    expect(cronTimesBetween("*/20 8-9 * * *", at("2024-05-01T00:00:00Z"), at("2024-05-01T23:59:00Z"))).toHaveLength(6);
    expect(previousCronTime("0 * * * *", at("2024-05-01T10:59:59Z"))).toEqual(at("2024-05-01T10:00:00Z"));
    expect(() => cronTimesBetween("0 * 1 * *", at("2024-05-01T00:00:00Z"), at("2024-05-02T00:00:00Z"))).toThrow(/only the minute and hour/);
  });

  it("finds the one hourly run whose window holds an event time", () => {
    const windows = runWindowsCovering(ESCU, at("2024-05-01T09:49:59Z"), at("2024-05-01T09:49:59Z"));
    expect(windows.map((w) => w.runTime)).toEqual([at("2024-05-01T10:00:00Z")]);
    expect(runWindowsCovering(ESCU, at("2024-05-01T09:50:00Z"), at("2024-05-01T09:50:00Z")).map((w) => w.runTime)).toEqual([at("2024-05-01T11:00:00Z")]);
    // 30 days of history: the runs from 01:00 on day 1 (window [23:50, 00:50)) to 01:00 on day 31.
    expect(runWindowsCovering(ESCU, at("2024-05-01T00:00:00Z"), at("2024-05-30T23:59:59Z"))).toHaveLength(30 * 24 + 1);
  });

  it("keeps overlapping windows in separate batches, disjoint ones together", () => {
    const w10 = windowForRun(ESCU, at("2024-05-01T10:00:00Z"));
    const w11 = windowForRun(ESCU, at("2024-05-01T11:00:00Z"));
    const w1010 = windowForRun(ESCU, at("2024-05-01T10:10:00Z"));
    expect(disjointBatches([w11, w10])).toEqual([[w10, w11]]);
    expect(disjointBatches([w10, w1010, w11])).toEqual([[w10, w11], [w1010]]);
  });
});
