// The channel list is the product's: every detection's macro matches an event of a listed channel (in every input
// format), so a detection that reads a channel nobody is told to collect fails here; and the list's first entries are
// the ones the detections read.
import { describe, expect, it } from "vitest";
import { DETECTION_SPECS } from "../detections";
import { INPUT_FORMATS, type InputFormat } from "./event";
import { COLLECTED_CHANNELS } from "./collected-channels";
import { sourceAndSourcetype } from "./splunk-fields";

/** The fields a macro's conditions test that an event's channel alone decides, as ingest sets them. */
function channelFields(channel: string, format: InputFormat): Record<string, string> {
  return { ...sourceAndSourcetype(channel, format), Channel: channel };
}

const FORMATS = INPUT_FORMATS;

describe("collected channels", () => {
  it("every detection's macro matches the events of a channel the list names, in every input format", () => {
    for (const spec of DETECTION_SPECS) {
      const macro = spec.structuredSearch.macro;
      for (const format of FORMATS) {
        const matching = COLLECTED_CHANNELS.filter((c) => {
          const fields = channelFields(c.channel, format);
          return macro.anyOf.some((cond) => fields[cond.field]?.toLowerCase() === cond.value.toLowerCase());
        });
        expect(matching.map((c) => c.neededBy), `${spec.name} (${format})`).toContain("detections");
      }
    }
  });

  it("each channel the list says the detections need is read by one of them", () => {
    const needed = COLLECTED_CHANNELS.filter((c) => c.neededBy === "detections");
    for (const c of needed) {
      const readers = DETECTION_SPECS.filter((spec) =>
        spec.structuredSearch.macro.anyOf.some((cond) => channelFields(c.channel, "xml")[cond.field]?.toLowerCase() === cond.value.toLowerCase()),
      );
      expect(readers.length, c.channel).toBeGreaterThan(0);
    }
  });

  it("names each channel once, case aside", () => {
    const keys = COLLECTED_CHANNELS.map((c) => c.channel.toLowerCase());
    expect(new Set(keys).size).toBe(keys.length);
  });
});
