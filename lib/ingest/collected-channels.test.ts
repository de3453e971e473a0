// The channel list is the product's: every detection's macro matches an event of a listed channel (in every input
// format), so a detection that reads a channel nobody is told to collect fails here; and the list's first entries are
// the ones the detections read.
import { describe, expect, it } from "vitest";
import { DETECTION_SPECS } from "../detections";
import { DATA_MODEL_DATASETS } from "../detections/datamodel";
import { SIGMA_LOGSOURCES } from "../detections/sigma";
import type { DetectionSpec } from "../detections/spec";
import { INPUT_FORMATS, type InputFormat } from "./event";
import { COLLECTED_CHANNELS } from "./collected-channels";
import { sourceAndSourcetype } from "./splunk-fields";

/** The fields a macro's conditions test that an event's channel alone decides, as ingest sets them. */
function channelFields(channel: string, format: InputFormat): Record<string, string> {
  return { ...sourceAndSourcetype(channel, format), Channel: channel };
}

const FORMATS = INPUT_FORMATS;

/**
 * Whether a detection reads the events of `channel` exported as `format`: its macro's conditions (an ESCU event
 * search), its data model's sources (a tstats search) or its Sigma logsource's sources.
 */
function reads(spec: DetectionSpec, channel: string, format: InputFormat): boolean {
  if (spec.sigma) return SIGMA_LOGSOURCES[spec.sigma.logsource].sources.some((s) => s.channel.toLowerCase() === channel.toLowerCase());
  const { macro, tstats } = spec.structuredSearch;
  if (tstats) return DATA_MODEL_DATASETS[tstats.datamodel].sources.some((s) => s.channel.toLowerCase() === channel.toLowerCase());
  const fields = channelFields(channel, format);
  return macro!.anyOf.some((cond) => fields[cond.field]?.toLowerCase() === cond.value.toLowerCase());
}

describe("collected channels", () => {
  it("every detection reads the events of a channel the list names, in every input format", () => {
    for (const spec of DETECTION_SPECS) {
      for (const format of FORMATS) {
        const matching = COLLECTED_CHANNELS.filter((c) => reads(spec, c.channel, format));
        expect(matching.map((c) => c.neededBy), `${spec.name} (${format})`).toContain("detections");
      }
    }
  });

  it("each channel the list says the detections need is read by one of them", () => {
    const needed = COLLECTED_CHANNELS.filter((c) => c.neededBy === "detections");
    for (const c of needed) {
      const readers = DETECTION_SPECS.filter((spec) => reads(spec, c.channel, "xml"));
      expect(readers.length, c.channel).toBeGreaterThan(0);
    }
  });

  it("names each channel once, case aside", () => {
    const keys = COLLECTED_CHANNELS.map((c) => c.channel.toLowerCase());
    expect(new Set(keys).size).toBe(keys.length);
  });
});
