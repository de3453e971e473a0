import { describe, expect, it } from "vitest";
import { canonicalGuid, parseEventTime, RecordError } from "./normalize";

/** What parseEventTime gave when every time went through Date's string parser: the reference for its digit path. */
function viaDateParser(text: string): { ms: number; timeCreated: string } | "error" {
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d+))?Z$/.exec(text)!;
  const [, date, clock, fraction = ""] = m;
  const time = new Date(`${date}T${clock}.${(fraction + "000").slice(0, 3)}Z`);
  if (Number.isNaN(time.getTime())) return "error";
  return { ms: time.getTime(), timeCreated: `${date}T${clock}${fraction ? "." + fraction : ""}Z` };
}

function parsed(text: string): { ms: number; timeCreated: string } | "error" {
  try {
    const { time, timeCreated } = parseEventTime(text);
    return { ms: time.getTime(), timeCreated };
  } catch (e) {
    if (e instanceof RecordError) return "error";
    throw e;
  }
}

describe("parseEventTime", () => {
  it("reads a UTC time from its digits exactly as Date's parser does, out-of-range fields included", () => {
    const times = [
      "2022-12-20T15:58:25.325383600Z",
      "2022-12-20 15:58:25Z",
      "2024-02-29T23:59:59.9999999Z",
      "2023-02-29T00:00:00Z", // Date rolls it over to 1 March
      "2023-04-31T12:00:00.5Z",
      "2023-04-30T24:00:00Z",
      "2023-04-30T23:59:60Z",
      "2023-13-01T00:00:00Z",
      "2023-00-10T00:00:00Z",
      "2023-01-00T00:00:00Z",
      "1900-02-29T00:00:00Z",
      "2000-02-29T00:00:00Z",
      "1969-12-31T23:59:59.999Z",
      "0099-06-01T00:00:00Z",
      "0000-01-01T00:00:00Z",
      "9999-12-31T23:59:59.9Z",
    ];
    for (const t of times) expect(parsed(t), t).toEqual(viaDateParser(t));
  });

  it("keeps every fractional digit and shifts zone offsets to UTC", () => {
    expect(parseEventTime(" 2023-04-17T20:50:04.0591248+02:00 ").timeCreated).toBe("2023-04-17T18:50:04.0591248Z");
    expect(parseEventTime("2023-04-17T18:50:04.1+00:00").timeCreated).toBe("2023-04-17T18:50:04.1Z");
    expect(parseEventTime("2023-04-17T18:50:04").time.toISOString()).toBe("2023-04-17T18:50:04.000Z");
  });
});

describe("canonicalGuid", () => {
  it("writes GUIDs as Windows does, the same each time it meets one", () => {
    for (let i = 0; i < 2; i++) {
      expect(canonicalGuid("{dc0b8e51-4863-407a-bc3c-1b479b2978ac}")).toBe("{DC0B8E51-4863-407A-BC3C-1B479B2978AC}");
      expect(canonicalGuid(" 670080d9-742a-4187-8d16-41143d1290bd ")).toBe("{670080D9-742A-4187-8D16-41143D1290BD}");
      expect(canonicalGuid("not a guid")).toBe("not a guid");
      expect(canonicalGuid(null)).toBeNull();
    }
  });
});
