// The one mapping from Windows event XML to EventParts, shared by the text-XML reader (xml/, fed by saxes or its
// fast scanner) and the EVTX reader (evtx/render-parts.ts, fed by the BinXML walk). Both walk the element tree and
// hand each finished element here with where it sits, so every format that is event XML maps an event the same way:
//
//  System         Provider@Name/Guid/EventSourceName, EventID (+@Qualifiers; a 32-bit code is split), Version,
//                 Level, Task, Opcode, Keywords, TimeCreated@SystemTime, EventRecordID, Execution@ProcessID/ThreadID,
//                 Channel, Computer, Security@UserID. Values trimmed; empty -> null, except the channel: an event
//                 that names none (<Channel/> or no element, as logs converted from ETW traces are) has channel ""
//                 (stored, and reported once per file by readers.ts), not a rejection.
//  EventData      <Data Name="X"> -> data.X, the text as is (an empty element is ""). <Data> without a Name (or
//                 with Name="") -> its 0-based position among the <Data> elements ("0", "1", …), for the event
//                 catalogue to name (normalize.ts). A repeated name (a string array renders one <Data> per item)
//                 -> the first keeps the name, later ones "X#2", "X#3"… (common.ts addUnique: Splunk keeps the
//                 first). <Binary> -> data.Binary, the hex text trimmed.
//  UserData       every leaf element below <UserData> (at any depth) -> data.<element name>, repeats as above.
//  RenderingInfo  Message (line ends normalised, trailing space removed), Level, Opcode, Task (trimmed).
//  anything else  ignored.
import type { EventParts, RenderingParts, SystemParts } from "../event";
import { RecordError } from "../normalize";
import { addUnique, cleanMessage, eventCodeFrom, toInt } from "./common";

/** The part of the event an element belongs to, for the element's own content. */
export type EventSection = "System" | "EventData" | "UserData" | "RenderingInfo";

const trimmed = (s: string | undefined | null): string | null => {
  const t = s?.trim();
  return t ? t : null;
};

export class EventXmlMapping {
  readonly system: SystemParts = { provider: null, eventId: null, timeCreated: null, channel: null, computer: null };
  readonly data: Record<string, string | null> = {};
  private rendering: RenderingParts | null = null;
  private eventIdText: string | null = null;
  private qualifiers: number | null = null;
  private dataPosition = 0;

  /** A child element of <System>, with its attributes (local names) and text. */
  systemElement(name: string, attrs: Record<string, string> | null, text: string): void {
    const s = this.system;
    switch (name) {
      case "Provider":
        s.provider = trimmed(attrs?.Name);
        s.providerGuid = trimmed(attrs?.Guid);
        s.eventSourceName = trimmed(attrs?.EventSourceName);
        break;
      case "EventID":
        this.eventIdText = trimmed(text);
        this.qualifiers = toInt(attrs?.Qualifiers);
        break;
      case "Version":
        s.version = toInt(trimmed(text));
        break;
      case "Level":
        s.level = toInt(trimmed(text));
        break;
      case "Task":
        s.task = toInt(trimmed(text));
        break;
      case "Opcode":
        s.opcode = toInt(trimmed(text));
        break;
      case "Keywords":
        s.keywords = trimmed(text);
        break;
      case "TimeCreated":
        s.timeCreated = trimmed(attrs?.SystemTime) ?? trimmed(text);
        break;
      case "EventRecordID":
        s.recordId = toInt(trimmed(text));
        break;
      case "Execution":
        s.processId = toInt(attrs?.ProcessID);
        s.threadId = toInt(attrs?.ThreadID);
        break;
      case "Channel":
        s.channel = trimmed(text);
        break;
      case "Computer":
        s.computer = trimmed(text);
        break;
      case "Security":
        s.userSid = trimmed(attrs?.UserID);
        break;
    }
  }

  /** A child element of <EventData>. */
  eventDataElement(name: string, attrs: Record<string, string> | null, text: string): void {
    if (name === "Data") {
      const dataName = attrs?.Name;
      addUnique(this.data, dataName === undefined || dataName === "" ? String(this.dataPosition) : dataName, text);
      this.dataPosition++;
    } else if (name === "Binary") {
      addUnique(this.data, "Binary", text.trim());
    }
  }

  /** A leaf element anywhere below <UserData>. */
  userDataLeaf(name: string, text: string): void {
    addUnique(this.data, name, text);
  }

  /** A child element of <RenderingInfo>. */
  renderingElement(name: string, text: string): void {
    switch (name) {
      case "Message":
        (this.rendering ??= {}).message = cleanMessage(text);
        break;
      case "Level":
        (this.rendering ??= {}).level = trimmed(text);
        break;
      case "Opcode":
        (this.rendering ??= {}).opcode = trimmed(text);
        break;
      case "Task":
        (this.rendering ??= {}).task = trimmed(text);
        break;
    }
  }

  /**
   * The parts. A non-numeric event id throws RecordError, or (`badEventId: "null"`, for a reader that must not throw
   * mid-chunk) leaves the event id null, which normalizeEvent rejects as a missing event id.
   */
  finish(options: { badEventId?: "throw" | "null" } = {}): EventParts {
    const { system } = this;
    let code: { eventId: number | null; qualifiers: number | null };
    try {
      code = eventCodeFrom(this.eventIdText, this.qualifiers);
    } catch (e) {
      if (options.badEventId !== "null" || !(e instanceof RecordError)) throw e;
      code = { eventId: null, qualifiers: this.qualifiers };
    }
    system.eventId = code.eventId;
    system.qualifiers = code.qualifiers;
    system.channel ??= "";
    const r = this.rendering;
    const hasRendering = r !== null && Object.values(r).some((v) => v !== null && v !== undefined);
    return { system, data: this.data, ...(hasRendering ? { rendering: r } : {}) };
  }
}
