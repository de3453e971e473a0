// Renders the decoder's events (binxml.ts) as the XML Windows shows, in evtxexport's layout: each element on its own
// line indented two spaces per level, `<X/>` for an element without content, text inline, and an end tag on its
// own line only after child elements.
import type { BinXmlElement, BinXmlVisitor } from "./visitor";

const ESCAPE_TEXT = /[&<>\u0000-\u0008\u000b\u000c\u000e-\u001f]/;
const ESCAPE_ATTR = /[&<>"\u0000-\u0008\u000b\u000c\u000e-\u001f]/;
function escapeChar(c: string): string {
  switch (c) {
    case "&":
      return "&amp;";
    case "<":
      return "&lt;";
    case ">":
      return "&gt;";
    case '"':
      return "&quot;";
    default:
      // C0 control characters are not allowed in XML 1.0 text; keep them visible as character references.
      return `&#x${c.charCodeAt(0).toString(16).toUpperCase()};`;
  }
}
export function escapeText(s: string): string {
  return ESCAPE_TEXT.test(s) ? s.replace(/[&<>\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, escapeChar) : s;
}
export function escapeAttr(s: string): string {
  return ESCAPE_ATTR.test(s) ? s.replace(/[&<>"\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, escapeChar) : s;
}

/** "\n" and the indentation of each depth, grown on demand (the decoder bounds the depth). */
const NEWLINE_INDENTS: string[] = ["\n"];
function newlineIndent(depth: number): string {
  while (NEWLINE_INDENTS.length <= depth) NEWLINE_INDENTS.push(NEWLINE_INDENTS[NEWLINE_INDENTS.length - 1] + "  ");
  return NEWLINE_INDENTS[depth];
}

/** The rendered start tag ("\n  <name a="x"", without its ">") of a template element whose tag never changes. */
interface CachedStartTag {
  depth: number;
  tag: string;
  end: string;
}
const START_TAG = Symbol("XmlTextRenderer start tag");

function renderStartTag(element: BinXmlElement, depth: number): string {
  let tag = newlineIndent(depth) + "<" + element.name;
  const { attributes } = element;
  for (let k = 0; k < attributes.length; k++) tag += " " + attributes[k].name + '="' + escapeAttr(attributes[k].value) + '"';
  return tag;
}

/** One record's XML text; a renderer is used for one record. */
export class XmlTextRenderer implements BinXmlVisitor {
  /** Pieces in order, joined once at the end. */
  private readonly out: string[] = [];
  private depth = 0;
  /** The last start tag written still lacks its ">": it becomes "/>" if its element ends with no content. */
  private startTagOpen = false;
  /** For each open element (by depth): whether it has a child element, which puts its end tag on a line of its own. */
  private readonly hasChildElement: boolean[] = [];
  /** "</name>" of the element just started (valid for textElement). */
  private endTag = "";

  /** The start tag without its ">", after closing the parent's start tag if needed; sets endTag. */
  private startTag(element: BinXmlElement): string {
    const d = this.depth;
    if (d > 0) this.hasChildElement[d - 1] = true;
    let tag: string;
    const { memo } = element;
    if (memo !== null) {
      // Rendered once per template element (and depth), as most elements are.
      let cached = memo[START_TAG] as CachedStartTag | undefined;
      if (cached === undefined || cached.depth !== d) {
        cached = { depth: d, tag: renderStartTag(element, d), end: "</" + element.name + ">" };
        memo[START_TAG] = cached;
      }
      tag = cached.tag;
      this.endTag = cached.end;
    } else {
      tag = renderStartTag(element, d);
      this.endTag = "</" + element.name + ">";
    }
    if (!this.startTagOpen) return tag;
    this.startTagOpen = false;
    return ">" + tag;
  }

  startElement(element: BinXmlElement): void {
    this.out.push(this.startTag(element));
    this.hasChildElement[this.depth] = false;
    this.depth++;
    this.startTagOpen = true;
  }

  textElement(element: BinXmlElement, text: string): void {
    const tag = this.startTag(element);
    this.out.push(text === "" ? tag + "/>" : tag + ">" + escapeText(text) + this.endTag);
  }

  endElement(element: BinXmlElement): void {
    const d = --this.depth;
    if (this.startTagOpen) {
      this.out.push("/>");
      this.startTagOpen = false;
    } else if (this.hasChildElement[d]) {
      this.out.push(newlineIndent(d) + "</" + element.name + ">");
    } else {
      this.out.push("</" + element.name + ">");
    }
  }

  /** Content of the current element: closes its start tag first. */
  private content(xml: string): void {
    if (this.startTagOpen) {
      this.out.push(">" + xml);
      this.startTagOpen = false;
    } else {
      this.out.push(xml);
    }
  }

  characters(text: string): void {
    this.content(escapeText(text));
  }
  cdata(text: string): void {
    this.content(`<![CDATA[${text}]]>`);
  }
  characterReference(code: number): void {
    this.content(`&#${code};`);
  }
  entityReference(name: string): void {
    this.content(`&${name};`);
  }
  processingInstruction(target: string, data: string): void {
    this.content(target ? `<?${target} ${data}?>` : `<?${data}?>`);
  }

  /** The XML text, without the line break every element starts with. */
  xml(): string {
    const xml = this.out.join("");
    return xml.charCodeAt(0) === 10 ? xml.slice(1) : xml;
  }
}
