// What the BinXML decoder (binxml.ts) tells its outputs, in document order, as the Rust evtx crate's BinXmlOutput
// visitor does: one decoder walk, several renderers (render-xml.ts: the event as XML text; render-parts.ts: the
// EventParts the pipeline stores). Templates, substitutions and BinXML nested in values are already resolved when
// a visitor hears of them: it sees the plain element tree Windows would render.

/** An attribute as rendered: its name and raw (unescaped) value. */
export interface BinXmlAttribute {
  readonly name: string;
  readonly value: string;
}

/** An element's start tag. Attributes are already filtered (an optional substitution without a value drops its attribute). */
export interface BinXmlElement {
  readonly name: string;
  readonly attributes: readonly BinXmlAttribute[];
  /**
   * Set when the start tag is the same in every instance of its template's element (the decoder then hands out the
   * same object each time, for the life of the chunk): a place where renderers cache what they derive from it, each
   * under a symbol of its own. A slot on the element rather than a WeakMap: most elements are such, and a WeakMap
   * lookup per element and renderer made rendering some 15 % slower.
   */
  readonly memo: Record<symbol, unknown> | null;
}

export interface BinXmlVisitor {
  startElement(element: BinXmlElement): void;
  endElement(element: BinXmlElement): void;
  /**
   * An element whose whole content is one text value, possibly "" (the common leaf: <EventID>4624</EventID>,
   * <Data Name="x">…</Data>): means exactly startElement, characters (unless ""), endElement, in one call because
   * most elements of an event are such leaves.
   */
  textElement(element: BinXmlElement, text: string): void;
  /** Character data (text tokens and substitution values), raw; never empty. */
  characters(text: string): void;
  cdata(text: string): void;
  /** `&#code;` */
  characterReference(code: number): void;
  /** `&name;` */
  entityReference(name: string): void;
  /** `<?target data?>`; target is "" for a bare PI data token. */
  processingInstruction(target: string, data: string): void;
}

/** Hands every event to two visitors, so that one walk feeds two outputs. */
export class BinXmlTee implements BinXmlVisitor {
  constructor(
    private readonly first: BinXmlVisitor,
    private readonly second: BinXmlVisitor,
  ) {}

  startElement(element: BinXmlElement): void {
    this.first.startElement(element);
    this.second.startElement(element);
  }
  endElement(element: BinXmlElement): void {
    this.first.endElement(element);
    this.second.endElement(element);
  }
  textElement(element: BinXmlElement, text: string): void {
    this.first.textElement(element, text);
    this.second.textElement(element, text);
  }
  characters(text: string): void {
    this.first.characters(text);
    this.second.characters(text);
  }
  cdata(text: string): void {
    this.first.cdata(text);
    this.second.cdata(text);
  }
  characterReference(code: number): void {
    this.first.characterReference(code);
    this.second.characterReference(code);
  }
  entityReference(name: string): void {
    this.first.entityReference(name);
    this.second.entityReference(name);
  }
  processingInstruction(target: string, data: string): void {
    this.first.processingInstruction(target, data);
    this.second.processingInstruction(target, data);
  }
}

/** The predefined XML entities, for visitors that want an entity reference's text. */
export const PREDEFINED_ENTITIES: Readonly<Record<string, string>> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
