import { describe, expect, it } from "vitest";
import { eventListParams } from "./queries";

describe("the events page's URL parameters", () => {
  it("reads an empty event-code field as any code, not event 0", () => {
    expect(eventListParams.parse({ host: "web01", code: "" }).code).toBeUndefined();
    expect(eventListParams.parse({ code: "0" }).code).toBe(0);
    expect(eventListParams.parse({ code: "2282" }).code).toBe(2282);
  });

  it("ignores values it cannot use instead of failing the page", () => {
    const p = eventListParams.parse({ code: "lots", page: "-3", sort: "raw", dir: "sideways", size: "100000" });
    expect(p).toMatchObject({ code: undefined, page: 1, sort: "time", dir: "desc", size: 50 });
  });
});
