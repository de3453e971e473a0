// The sliding windows of ES's risk incident rules: a crossing at each risk event whose preceding window (24 h, or
// 7 days) passes the rule; events leave the window as it slides.
import { describe, expect, it } from "vitest";
import { crossingsOf } from "./incidents";

const H = 3_600_000;
const t0 = Date.parse("2026-10-01T00:00:00Z");
const risk = (id: number, hours: number, score: number, source = "S1", tactics = ["persistence"]) => ({
  id: String(id),
  object: "web01",
  time: new Date(t0 + hours * H),
  score,
  tactics,
  source,
});

describe("crossingsOf", () => {
  it("24 h score: crosses only when the sum within the last 24 h passes 100", () => {
    // 60 at 0 h and 60 at 25 h: never 120 within 24 h. Then 60 at 30 h: 120 over (6 h, 30 h]; 10 at 50 h: 70 over (26 h, 50 h].
    const c = crossingsOf([risk(1, 0, 60), risk(2, 25, 60), risk(3, 30, 60), risk(4, 50, 10)]).filter((x) => x.rule === "scoreOver24h");
    expect(c.map((x) => [x.time.toISOString(), x.score, x.riskEventIds])).toEqual([["2026-10-02T06:00:00.000Z", 120, ["2", "3"]]]);
  });

  it("counts events at the same instant together", () => {
    const c = crossingsOf([risk(1, 1, 48), risk(2, 1, 48), risk(3, 1, 48)]).filter((x) => x.rule === "scoreOver24h");
    expect(c.map((x) => [x.score, x.riskEventIds.length])).toEqual([[144, 3]]);
  });

  it("7-day tactics: at least 3 tactics from at least 4 sources within the last 7 days", () => {
    const events = [
      risk(1, 0, 1, "A", ["persistence"]),
      risk(2, 24, 1, "B", ["defense-evasion"]),
      risk(3, 48, 1, "C", ["persistence"]),
      risk(4, 72, 1, "D", ["collection"]),
      // 10 days later: the first three have left the window.
      risk(5, 240, 1, "E", ["execution"]),
    ];
    const c = crossingsOf(events).filter((x) => x.rule === "tacticsOver7d");
    expect(c.map((x) => [x.time.toISOString(), x.tactics, x.sources])).toEqual([["2026-10-04T00:00:00.000Z", ["collection", "defense-evasion", "persistence"], 4]]);
  });
});
