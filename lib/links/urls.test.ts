import { describe, expect, it } from "vitest";
import { resultListParams } from "../detections/result-list";
import { eventListParams } from "../ingest/queries";
import { notableListParams } from "../triage/fields";
import { eventsUrl, hostUrl, newSuppressionUrl, notablesUrl, resultsUrl, riskUrl, suppressionUrl, uploadsUrl } from "./urls";

/** A host name with every character that could end a path segment or change the text's direction. */
const HOSTILE_HOST = "a/b?c#d%e&f=g \u202Eexe.jpg\u2066";
const query = (url: string) => Object.fromEntries(new URL(url, "http://x").searchParams);

describe("typed links", () => {
  it("keep a hostile host name one path segment that reads back as the name", () => {
    const url = hostUrl(HOSTILE_HOST);
    expect(url).toBe("/hosts/a%2Fb%3Fc%23d%25e%26f%3Dg%20%E2%80%AEexe.jpg%E2%81%A6");
    const parsed = new URL(url, "http://x");
    expect(parsed.search).toBe("");
    expect(parsed.hash).toBe("");
    expect(decodeURIComponent(parsed.pathname.split("/")[2])).toBe(HOSTILE_HOST);
    expect(new URL(riskUrl(HOSTILE_HOST, { at: new Date("2026-01-01T00:00:00Z") }), "http://x").pathname.split("/")).toHaveLength(3);
  });

  it("write a host page's range with ISO times", () => {
    expect(hostUrl("web01", { range: "custom", from: new Date("2026-01-01T00:00:00Z"), to: new Date("2026-01-02T00:00:00Z") })).toBe(
      "/hosts/web01?range=custom&from=2026-01-01T00%3A00%3A00.000Z&to=2026-01-02T00%3A00%3A00.000Z",
    );
    expect(riskUrl("web01")).toBe("/risk/web01");
  });

  it("round-trip a list page's state through its table-state schema, hostile values included", () => {
    const results = { dest: HOSTILE_HOST, earliest: new Date("2026-01-01T00:00:00Z"), latest: new Date("2026-01-08T00:00:00Z"), upload: "00000000-0000-4000-8000-000000000001" };
    expect(resultListParams.parse(query(resultsUrl(results)))).toMatchObject(results);
    const notables = notableListParams.parse({ status: "all", dest: HOSTILE_HOST, sort: "urgency", dir: "asc", size: "25", page: "3" });
    expect(notableListParams.parse(query(notablesUrl(notables)))).toEqual(notables);
    const events = eventListParams.parse({ host: HOSTILE_HOST, q: "globalModules/ADD #1 %", code: "29" });
    expect(eventListParams.parse(query(eventsUrl(events)))).toEqual(events);
  });

  it("leave absent values out", () => {
    expect(resultsUrl()).toBe("/results");
    expect(eventsUrl({ host: undefined, upload: "u" })).toBe("/events?upload=u");
    expect(newSuppressionUrl({ notable: 12n })).toBe("/suppressions/new?notable=12");
    expect(suppressionUrl(7, { saved: "created" })).toBe("/suppressions/7?saved=created");
    expect(uploadsUrl({ deleted: "a&b.evtx", events: 3 })).toBe("/uploads?deleted=a%26b.evtx&events=3");
  });

  it("refuse, at compile time, a parameter the page does not read", () => {
    // @ts-expect-error the results page has no "host" parameter (it is "dest")
    resultsUrl({ host: "web01" });
    // @ts-expect-error a sort id that names no column of the notables queue
    notablesUrl({ sort: "bogus" });
  });
});
