// Splunk field synthesis: the fields the ESCU searches group by, computed the same way whatever the input
// format was. See docs/reference/splunk-semantics.md §7:
//  - Event 29 is searched as the *classic* WinEventLog rendering (sourcetype IIS:Configuration:Operational),
//    whose fields are OpCode (rendered name), ComputerName and Message. XML input would leave them null and
//    Splunk would drop every row, so we synthesise them.
//  - Event 2282 is searched as XmlWinEventLog:Application, where Name = <Provider Name>, ModuleDll =
//    EventData/ModuleDll and dest = Computer (FIELDALIAS for that source; EVAL coalesce for classic).
import type { InputFormat, SplunkFields } from "./event";

/** Channel of the IIS configuration audit log and the sourcetype the `iis_operational_logs` macro expects. */
export const IIS_CONFIGURATION_CHANNEL = "Microsoft-IIS-Configuration/Operational";
export const IIS_CONFIGURATION_SOURCETYPE = "IIS:Configuration:Operational";

// Standard opcode names (winmeta.xml) as Windows renders them in classic text and RenderingInfo.
const OPCODE_NAMES: Record<number, string> = {
  0: "Info",
  1: "Start",
  2: "Stop",
  3: "DCStart",
  4: "DCStop",
  5: "Extension",
  6: "Reply",
  7: "Resume",
  8: "Suspend",
  9: "Send",
  240: "Receive",
};

export function opcodeName(opcode: number | null | undefined, rendered?: string | null): string | null {
  if (rendered) return rendered;
  if (opcode === null || opcode === undefined) return null;
  return OPCODE_NAMES[opcode] ?? String(opcode);
}

const IIS_CONFIGURATION_CHANNEL_LOWER = IIS_CONFIGURATION_CHANNEL.toLowerCase();

/** Splunk's source and sourcetype for an event of this channel, as the Windows TA would set them. */
export function sourceAndSourcetype(channel: string, format: InputFormat): { source: string; sourcetype: string } {
  if (channel.toLowerCase() === IIS_CONFIGURATION_CHANNEL_LOWER) {
    return { source: IIS_CONFIGURATION_SOURCETYPE, sourcetype: IIS_CONFIGURATION_SOURCETYPE };
  }
  // Classic text keeps its classic source; every structured format is what the XML forwarder would send.
  return format === "classic"
    ? { source: `WinEventLog:${channel}`, sourcetype: "WinEventLog" }
    : { source: `XmlWinEventLog:${channel}`, sourcetype: "XmlWinEventLog" };
}

export interface SplunkFieldInput {
  channel: string;
  provider: string;
  computer: string;
  opcodeName: string | null;
  message: string | null;
  data: Record<string, string | null>;
  format: InputFormat;
}

const present = (v: string | null | undefined): string | null => (v === undefined || v === null || v === "" ? null : v);

export function splunkFields(e: SplunkFieldInput): SplunkFields {
  const { source, sourcetype } = sourceAndSourcetype(e.channel, e.format);
  return {
    source,
    sourcetype,
    OpCode: present(e.opcodeName),
    ComputerName: present(e.computer),
    Message: present(e.message),
    Name: present(e.provider),
    ModuleDll: present(e.data.ModuleDll),
    dest: present(e.computer),
  };
}
