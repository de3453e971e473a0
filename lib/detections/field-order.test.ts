import { describe, expect, it } from "vitest";
import { splFieldOrder } from "./queries";
import { outputFieldNames } from "./spec";
import { DETECTION_SPECS } from "./specs";

describe("a result row's fields in the SPL's order", () => {
  it.each(DETECTION_SPECS.map((s) => [s.name, s] as const))("%s: the stats by fields (renamed), then count, firstTime, lastTime", (_name, spec) => {
    const order = outputFieldNames(spec.structuredSearch);
    // As jsonb returns them: shorter keys first.
    const stored = Object.fromEntries([...order].sort((a, b) => a.length - b.length || a.localeCompare(b)).map((k) => [k, k]));
    expect(Object.keys(splFieldOrder(spec.id, stored))).toEqual(order);
  });
});
