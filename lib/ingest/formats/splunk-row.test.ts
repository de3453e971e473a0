import { describe, expect, it } from "vitest";
import { splunkRowParts, splunkTime } from "./splunk-row";

describe("Splunk result rows without _raw", () => {
  it("reads Splunk's _time layouts as UTC ISO text", () => {
    expect(splunkTime("2024-01-01T10:00:00.000+0100")).toBe("2024-01-01T10:00:00.000+01:00");
    expect(new Date(splunkTime("2024-01-01T10:00:00.000+0100")!).toISOString()).toBe("2024-01-01T09:00:00.000Z");
    expect(splunkTime("2022-12-20 15:58:25.325 UTC")).toBe("2022-12-20T15:58:25.325Z");
    expect(splunkTime("1671551905.325")).toBe("2022-12-20T15:58:25.325Z");
    expect(splunkTime("")).toBeNull();
  });

  it("takes the channel from source, strips the TA's attribute quotes and keeps only event data as data", () => {
    const parts = splunkRowParts({
      _time: "2022-12-20T15:58:25.325+0000",
      source: "XmlWinEventLog:Application",
      sourcetype: "XmlWinEventLog",
      host: "collector",
      Computer: "WEB01",
      EventCode: "3221227754",
      Name: "'Microsoft-Windows-IIS-W3SVC-WP'",
      ProcessID: "'2888'",
      ModuleDll: "c:\\evil.dll",
      date_hour: "15",
      punct: "<_='",
      splunk_server: "s1",
    });
    expect(parts.system).toMatchObject({ channel: "Application", computer: "WEB01", eventId: 2282, qualifiers: 0xc000, provider: "Microsoft-Windows-IIS-W3SVC-WP", processId: 2888 });
    expect(parts.data).toEqual({ ModuleDll: "c:\\evil.dll" });
  });

  it("rejects a row without an event code", () => {
    expect(() => splunkRowParts({ _time: "2024-01-01T00:00:00Z", host: "H" })).toThrow(/missing event id/);
  });
});
