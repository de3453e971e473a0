// The element stream of one record (from either record parser: fast-path.ts or saxes-path.ts) to EventParts: which
// element goes to which part of the one mapping of event XML (../event-xml.ts, which the EVTX reader uses too) —
// children of System, EventData and RenderingInfo, leaves anywhere below UserData. What each element means is the
// mapping's business, not this file's.
import type { EventParts } from "../../event";
import { RecordError } from "../../normalize";
import { EventXmlMapping } from "../event-xml";

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
  /**
   * The open elements, outermost first, as parallel arrays indexed by depth - 1 rather than an object per element:
   * a record has twenty-odd elements, and reading them made that many short-lived objects per event.
   */
  private depth = 0;
  private readonly names: string[] = [];
  private readonly attributes: Record<string, string>[] = [];
  private readonly texts: string[] = [];
  private readonly hasChild: boolean[] = [];

  open(name: string, rawName: string, attributes: Record<string, string>): void {
    const d = this.depth;
    if (d === 0) {
      if (name !== "Event") throw new RecordError(`expected an <Event> element, found <${rawName}>`);
      this.sawRoot = true;
    } else {
      this.hasChild[d - 1] = true;
    }
    this.names[d] = name;
    this.attributes[d] = attributes;
    this.texts[d] = "";
    this.hasChild[d] = false;
    this.depth = d + 1;
  }

  text(t: string): void {
    if (this.depth) this.texts[this.depth - 1] += t;
  }

  close(): void {
    const depth = this.depth--; // of the element closed: Event = 1
    if (depth < 3) return;
    const { mapping } = this;
    const name = this.names[depth - 1];
    const attributes = this.attributes[depth - 1];
    const text = this.texts[depth - 1];
    const section = this.names[1];
    if (depth === 3 && section === "System") mapping.systemElement(name, attributes, text);
    else if (depth === 3 && section === "EventData") mapping.eventDataElement(name, attributes, text);
    else if (section === "UserData" && !this.hasChild[depth - 1]) mapping.userDataLeaf(name, text);
    else if (depth === 3 && section === "RenderingInfo") mapping.renderingElement(name, text);
  }

  finish(): EventParts {
    if (!this.sawRoot) throw new RecordError("no <Event> element");
    return this.mapping.finish();
  }
}
