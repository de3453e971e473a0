// The element stream of one record (from either record parser: fast-path.ts or saxes-path.ts) to EventParts: which
// element goes to which part of the one mapping of event XML (../event-xml.ts, which the EVTX reader uses too) —
// children of System, EventData and RenderingInfo, leaves anywhere below UserData. What each element means is the
// mapping's business, not this file's.
import type { EventParts } from "../../event";
import { RecordError } from "../../normalize";
import { EventXmlMapping } from "../event-xml";

interface Frame {
  name: string;
  attributes: Record<string, string>;
  text: string;
  hasChild: boolean;
}

export const localName = (name: string) => {
  const colon = name.indexOf(":");
  return colon < 0 ? name : name.slice(colon + 1);
};

/**
 * Collects one <Event> element into EventParts from open / text / close calls. Both record parsers (the fast
 * scanner and saxes) drive it. Element and attribute names are passed as local names.
 */
export class EventPartsBuilder {
  private readonly mapping = new EventXmlMapping();
  private sawRoot = false;
  private readonly stack: Frame[] = [];

  open(name: string, rawName: string, attributes: Record<string, string>): void {
    const { stack } = this;
    if (stack.length === 0) {
      if (name !== "Event") throw new RecordError(`expected an <Event> element, found <${rawName}>`);
      this.sawRoot = true;
    } else {
      stack[stack.length - 1].hasChild = true;
    }
    stack.push({ name, attributes, text: "", hasChild: false });
  }

  text(t: string): void {
    const { stack } = this;
    if (stack.length) stack[stack.length - 1].text += t;
  }

  close(): void {
    const { stack, mapping } = this;
    const frame = stack.pop()!;
    const depth = stack.length + 1; // Event = 1
    if (depth < 3) return;
    const section = stack[1].name;
    if (depth === 3 && section === "System") mapping.systemElement(frame.name, frame.attributes, frame.text);
    else if (depth === 3 && section === "EventData") mapping.eventDataElement(frame.name, frame.attributes, frame.text);
    else if (section === "UserData" && !frame.hasChild) mapping.userDataLeaf(frame.name, frame.text);
    else if (depth === 3 && section === "RenderingInfo") mapping.renderingElement(frame.name, frame.text);
  }

  finish(): EventParts {
    if (!this.sawRoot) throw new RecordError("no <Event> element");
    return this.mapping.finish();
  }
}
