import { expect, it } from "vitest";
import { detectionTiming } from "./timing";

it("IISWATCH_DETECTIONS: scheduled by default, nrt on request, anything else refused with what it accepts", () => {
  expect(detectionTiming({})).toBe("scheduled");
  expect(detectionTiming({ IISWATCH_DETECTIONS: " NRT " })).toBe("nrt");
  expect(detectionTiming({ IISWATCH_DETECTIONS: "scheduled" })).toBe("scheduled");
  expect(() => detectionTiming({ IISWATCH_DETECTIONS: "realtime" })).toThrow("IISWATCH_DETECTIONS must be one of scheduled, nrt (got 'realtime')");
});
