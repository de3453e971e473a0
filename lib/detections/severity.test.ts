import { describe, expect, it } from "vitest";
import { severityForScore } from "./rba";
import { urgencyFor, urgencyRow } from "./severity";

describe("notable severity and urgency", () => {
  it("maps scores to contentctl's severity bands", () => {
    expect([0, 20, 21, 25, 40, 41, 48, 60, 61, 80, 81, 100].map(severityForScore)).toEqual([
      "informational",
      "informational",
      "low",
      "low",
      "low",
      "medium",
      "medium",
      "medium",
      "high",
      "high",
      "critical",
      "critical",
    ]);
  });

  it("combines severity and asset priority as ES's urgency lookup", () => {
    expect(urgencyFor("medium", "medium")).toBe("medium");
    expect(urgencyFor("medium", "low")).toBe("low");
    expect(urgencyFor("medium", "high")).toBe("medium");
    expect(urgencyFor("high", "medium")).toBe("high");
    expect(urgencyFor("critical", "unknown")).toBe("high");
    expect(urgencyFor("informational", "critical")).toBe("informational");
    expect(urgencyFor("low", "nonsense")).toBe("low");
    expect(urgencyRow("medium")).toEqual({ priorities: ["unknown", "low", "medium", "high", "critical"], urgencies: ["low", "low", "medium", "medium", "high"] });
  });
});
