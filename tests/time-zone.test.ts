// Every time the dashboard shows says its zone: the server renders UTC (the switch to local time lives in the
// browser), a free-standing time with " UTC" after it, a column's times once in its heading; and in local time the
// heading names an offset only where it holds all year.
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { afterEach, describe, expect, it } from "vitest";
import { Time, TimeRange, TimeZoneProvider, ZoneHeading, zoneName } from "../components/time/TimeZone";

const serverRender = (node: React.ReactNode) => renderToStaticMarkup(createElement(TimeZoneProvider, null, node)).replace(/<[^>]+>/g, "");

describe("the zone of a time, as the server renders it", () => {
  it("a free-standing time says UTC", () => {
    expect(serverRender(createElement(Time, { iso: "2026-11-02T10:04:05.123Z" }))).toBe("2026-11-02 10:04:05 UTC");
  });

  it("a column's times leave it to the heading, which says UTC", () => {
    expect(serverRender(createElement(ZoneHeading, null, "Last event"))).toBe("Last event (UTC)");
    expect(serverRender(createElement(Time, { iso: "2026-11-02T10:04:05.123Z", millis: true, zoneInHeading: true }))).toBe("2026-11-02 10:04:05.123");
  });

  it("a span of time says its zone once", () => {
    expect(serverRender(createElement(TimeRange, { from: "2026-11-01T00:00:00Z", to: "2026-11-02T00:00:00Z" }))).toBe("2026-11-01 00:00:00 – 2026-11-02 00:00:00 UTC");
  });
});

describe("the local zone's name in a heading", () => {
  const saved = process.env.TZ;
  afterEach(() => {
    process.env.TZ = saved;
  });

  it("is its offset where that holds all year", () => {
    process.env.TZ = "Asia/Kolkata";
    expect(zoneName("local", new Date("2026-11-02T10:00:00Z"))).toBe("local, UTC+05:30");
  });

  it("is the zone's name where daylight saving time changes the offset", () => {
    process.env.TZ = "Europe/Berlin";
    expect(zoneName("local", new Date("2026-11-02T10:00:00Z"))).toBe("local, Europe/Berlin");
  });
});
