// Builds a record's EventParts from the decoder's events (binxml.ts): hands each finished element to the one mapping
// of event XML (formats/event-xml.ts, shared with the text-XML reader) by the part of the event it sits in —
// children of System, EventData and RenderingInfo; leaves anywhere below UserData.
import type { EventParts } from "../event";
import { EventXmlMapping } from "../formats/event-xml";
import { PREDEFINED_ENTITIES, type BinXmlElement, type BinXmlVisitor } from "./visitor";

// Where an element sits in the event.
const CTX_ROOT = 0;
const CTX_EVENT = 1;
const CTX_SYSTEM = 2;
const CTX_EVENTDATA = 3;
const CTX_USERDATA_TOP = 4;
const CTX_USERDATA = 5;
const CTX_RENDERING = 6;
const CTX_OTHER = 7;

/** Where the children of element `name`, sitting in `ctx`, sit. */
function childContext(ctx: number, name: string): number {
  switch (ctx) {
    case CTX_ROOT:
      return name === "Event" ? CTX_EVENT : CTX_OTHER;
    case CTX_EVENT:
      switch (name) {
        case "System":
          return CTX_SYSTEM;
        case "EventData":
          return CTX_EVENTDATA;
        case "UserData":
          return CTX_USERDATA_TOP;
        case "RenderingInfo":
          return CTX_RENDERING;
        default:
          return CTX_OTHER;
      }
    case CTX_USERDATA_TOP:
    case CTX_USERDATA:
      return CTX_USERDATA;
    default:
      return CTX_OTHER;
  }
}

/** Whether the mapping reads the text of an element sitting in `ctx`. */
const wantsText = (ctx: number) => ctx !== CTX_OTHER && ctx !== CTX_ROOT && ctx !== CTX_EVENT;

/** Memo key: the attributes by name of an element whose attributes never change (the mapping only reads them). */
const ATTRIBUTES = Symbol("EventPartsRenderer attributes");

/** The attributes as the mapping takes them, only where it reads them (children of System and EventData). */
function attributeRecord(ctx: number, element: BinXmlElement): Record<string, string> | null {
  const { attributes } = element;
  if ((ctx !== CTX_SYSTEM && ctx !== CTX_EVENTDATA) || attributes.length === 0) return null;
  const { memo } = element;
  let record = memo === null ? undefined : (memo[ATTRIBUTES] as Record<string, string> | undefined);
  if (record === undefined) {
    record = {};
    for (let k = 0; k < attributes.length; k++) record[attributes[k].name] = attributes[k].value;
    if (memo !== null) memo[ATTRIBUTES] = record;
  }
  return record;
}

/** One record's EventParts; a renderer is used for one record. */
export class EventPartsRenderer implements BinXmlVisitor {
  private readonly mapping = new EventXmlMapping();
  private depth = 0;
  // Per open element, by depth (parallel arrays: no object per element).
  /** Where the elements at each depth sit; [0] is the root. */
  private readonly contexts: number[] = [CTX_ROOT];
  /** Attributes, kept only where the mapping reads them (children of System and EventData). */
  private readonly attributes: (Record<string, string> | null)[] = [];
  /** The element's own text (not its child elements'). */
  private readonly texts: string[] = [];
  private readonly hasChildElement: boolean[] = [];

  startElement(element: BinXmlElement): void {
    const d = this.depth;
    const ctx = this.contexts[d];
    this.contexts[d + 1] = childContext(ctx, element.name);
    this.attributes[d] = attributeRecord(ctx, element);
    this.texts[d] = "";
    this.hasChildElement[d] = false;
    if (d > 0) this.hasChildElement[d - 1] = true;
    this.depth = d + 1;
  }

  endElement(element: BinXmlElement): void {
    const d = --this.depth;
    this.element(this.contexts[d], element.name, this.attributes[d], this.texts[d], !this.hasChildElement[d]);
  }

  textElement(element: BinXmlElement, text: string): void {
    const d = this.depth;
    if (d > 0) this.hasChildElement[d - 1] = true;
    const ctx = this.contexts[d];
    if (wantsText(ctx)) this.element(ctx, element.name, attributeRecord(ctx, element), text, true);
  }

  /** A finished element sitting in `ctx`, to the mapping. */
  private element(ctx: number, name: string, attributes: Record<string, string> | null, text: string, leaf: boolean): void {
    switch (ctx) {
      case CTX_SYSTEM:
        this.mapping.systemElement(name, attributes, text);
        break;
      case CTX_EVENTDATA:
        this.mapping.eventDataElement(name, attributes, text);
        break;
      case CTX_USERDATA_TOP:
      case CTX_USERDATA:
        if (leaf) this.mapping.userDataLeaf(name, text);
        break;
      case CTX_RENDERING:
        this.mapping.renderingElement(name, text);
        break;
    }
  }

  characters(text: string): void {
    const d = this.depth - 1;
    if (d >= 0 && wantsText(this.contexts[d])) this.texts[d] += text;
  }
  cdata(text: string): void {
    this.characters(text);
  }
  characterReference(code: number): void {
    this.characters(String.fromCharCode(code));
  }
  entityReference(name: string): void {
    this.characters(PREDEFINED_ENTITIES[name] ?? `&${name};`);
  }
  processingInstruction(): void {
    // Not part of any field.
  }

  parts(): EventParts {
    // A non-numeric EventID leaves the id null (rejected by normalizeEvent) rather than throwing mid-chunk.
    return this.mapping.finish({ badEventId: "null" });
  }
}
