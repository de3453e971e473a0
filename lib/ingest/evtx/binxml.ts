// Binary XML (BinXML) of one EVTX chunk: parsing token streams into small node trees, compiling templates once per
// chunk (cached by their chunk offset), and walking a record's tree — templates instantiated, substitution values
// decoded (values.ts), BinXML nested in values expanded — as a stream of events for a visitor (visitor.ts). What
// the events become is the renderers' business: render-xml.ts (the event's XML text), render-parts.ts (EventParts),
// record.ts (both from one walk, what the reader uses).
//
// Offsets here are chunk-relative (BinXML refers to names and templates by their offset in the 64 KiB chunk);
// the caller adds the chunk's file offset when it reports a problem.
import { VT, ValueError, arrayItems, scalarText } from "./values";
import { PREDEFINED_ENTITIES, type BinXmlAttribute, type BinXmlElement, type BinXmlVisitor } from "./visitor";

/** A BinXML structure that cannot be decoded; `offset` is chunk-relative. */
export class BinXmlError extends Error {
  name = "BinXmlError";
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

const K_ELEM = 0;
const K_TEXT = 1;
const K_SUBST = 2;
const K_CDATA = 3;
const K_CHARREF = 4;
const K_ENTREF = 5;
const K_PI = 6;
const K_TMPL = 7;

interface ElemNode {
  k: typeof K_ELEM;
  name: string;
  attrs: AttrNode[];
  children: Node[];
  /** Walking shortcuts, worked out on first use (templates are walked many times per chunk). */
  prep?: ElemPrep;
}
interface ElemPrep {
  /** The start tag when every attribute value is plain text (the same for every instance), else null. */
  staticStart: BinXmlElement | null;
  /** The only child, when it is a substitution (an array value then repeats the element). */
  sole: SubstNode | null;
  /** The content when it is plain text only (or nothing), else null. */
  staticText: string | null;
}
interface AttrNode {
  name: string;
  value: Node[];
}
interface TextNode {
  k: typeof K_TEXT;
  text: string;
}
interface SubstNode {
  k: typeof K_SUBST;
  index: number;
  optional: boolean;
}
interface CDataNode {
  k: typeof K_CDATA;
  text: string;
}
interface CharRefNode {
  k: typeof K_CHARREF;
  code: number;
}
interface EntRefNode {
  k: typeof K_ENTREF;
  name: string;
}
interface PINode {
  k: typeof K_PI;
  target: string;
  data: string;
}
interface TmplNode {
  k: typeof K_TMPL;
  template: Template;
  /** Substitution values, flattened: type, chunk offset, size for each. */
  values: number[];
}
type Node = ElemNode | TextNode | SubstNode | CDataNode | CharRefNode | EntRefNode | PINode | TmplNode;

export interface Template {
  /** Chunk offset of the template definition. */
  offset: number;
  nodes: Node[];
}

/** Deepest nesting accepted (elements, templates in templates, BinXML in substitution values). */
const MAX_DEPTH = 48;

/** Decoder for the BinXML of one chunk, with the chunk's name and template caches. */
export class ChunkDecoder {
  private readonly names = new Map<number, string>();
  /** Compiled templates by definition offset; null while one is being compiled (catches self-reference). */
  private readonly templates = new Map<number, Template | null>();
  /** BinXML-in-substitution nesting of the record being walked. */
  private nest = 0;

  constructor(readonly buf: Buffer) {}

  // ---------------------------------------------------------------- parsing

  /** The name (element, attribute, entity, PI target) stored at chunk offset `off`. */
  private nameAt(off: number): string {
    const cached = this.names.get(off);
    if (cached !== undefined) return cached;
    const buf = this.buf;
    if (off < 0 || off + 8 > buf.length) throw new BinXmlError(`name offset ${off} is outside the chunk`, off);
    const end = off + 8 + buf.readUInt16LE(off + 6) * 2;
    if (end > buf.length) throw new BinXmlError(`name at offset ${off} runs past the chunk`, off);
    const name = buf.toString("utf16le", off + 8, end);
    this.names.set(off, name);
    return name;
  }

  /** Reads a name reference at p (u32 offset, then the name itself when it is defined inline). Returns [name, next]. */
  private nameRef(p: number, end: number): [string, number] {
    if (p + 4 > end) throw new BinXmlError("truncated name reference", p);
    const off = this.buf.readUInt32LE(p);
    p += 4;
    if (off === p) {
      if (p + 8 > end) throw new BinXmlError("truncated inline name", p);
      const next = p + 8 + this.buf.readUInt16LE(p + 6) * 2 + 2;
      if (next > end) throw new BinXmlError("inline name runs past its fragment", p);
      return [this.nameAt(off), next];
    }
    return [this.nameAt(off), p];
  }

  /** Compiles (once per chunk) the template whose definition starts at chunk offset `off`. */
  template(off: number, depth: number): Template {
    const cached = this.templates.get(off);
    if (cached) return cached;
    if (cached === null) throw new BinXmlError(`template at offset ${off} refers to itself`, off);
    const buf = this.buf;
    if (off < 0 || off + 24 > buf.length) throw new BinXmlError(`template offset ${off} is outside the chunk`, off);
    const bodyEnd = off + 24 + buf.readUInt32LE(off + 20);
    if (bodyEnd > buf.length) throw new BinXmlError(`template at offset ${off} runs past the chunk`, off);
    this.templates.set(off, null);
    try {
      const nodes = this.parse(off + 24, bodyEnd, depth + 1).nodes;
      const t: Template = { offset: off, nodes };
      this.templates.set(off, t);
      return t;
    } catch (e) {
      this.templates.delete(off);
      throw e;
    }
  }

  private templateInstance(pos: number, end: number, depth: number): [TmplNode, number] {
    const buf = this.buf;
    if (pos + 10 > end) throw new BinXmlError("truncated template instance", pos);
    const defOff = buf.readUInt32LE(pos + 6);
    let p = pos + 10;
    if (defOff === p) {
      // Defined inline, on its first use in the chunk: skip the definition after compiling it.
      if (p + 24 > end) throw new BinXmlError("truncated template definition", p);
      const next = p + 24 + buf.readUInt32LE(p + 20);
      if (next > end) throw new BinXmlError("template definition runs past the record", p);
      const template = this.template(defOff, depth);
      p = next;
      return this.instanceValues(template, p, end);
    }
    return this.instanceValues(this.template(defOff, depth), p, end);
  }

  private instanceValues(template: Template, p: number, end: number): [TmplNode, number] {
    const buf = this.buf;
    if (p + 4 > end) throw new BinXmlError("truncated substitution count", p);
    const count = buf.readUInt32LE(p);
    p += 4;
    if (count > (end - p) / 4) throw new BinXmlError(`substitution count ${count} does not fit the record`, p - 4);
    const values = new Array<number>(count * 3);
    let v = p + count * 4;
    for (let i = 0; i < count; i++, p += 4) {
      const size = buf.readUInt16LE(p);
      values[i * 3] = buf[p + 2];
      values[i * 3 + 1] = v;
      values[i * 3 + 2] = size;
      v += size;
    }
    if (v > end) throw new BinXmlError(`substitution values run ${v - end} bytes past the record`, p);
    return [{ k: K_TMPL, template, values }, v];
  }

  /** Parses one value-like token (text, substitution, references, CDATA, PI) at p. */
  private content(p: number, end: number): [Node, number] {
    const buf = this.buf;
    const tok = buf[p] & 0xbf;
    switch (tok) {
      case 0x05: {
        if (p + 2 > end) break;
        const type = buf[p + 1];
        if (type === VT.WString) {
          if (p + 4 > end) break;
          const e = p + 4 + buf.readUInt16LE(p + 2) * 2;
          if (e > end) break;
          const text = buf.toString("utf16le", p + 4, e);
          return [{ k: K_TEXT, text }, e];
        }
        if (type === VT.AnsiString) {
          if (p + 4 > end) break;
          const e = p + 4 + buf.readUInt16LE(p + 2);
          if (e > end) break;
          const text = buf.toString("latin1", p + 4, e);
          return [{ k: K_TEXT, text }, e];
        }
        throw new BinXmlError(`value token of type 0x${type.toString(16)} is not supported`, p);
      }
      case 0x0d:
      case 0x0e:
        if (p + 4 > end) break;
        return [{ k: K_SUBST, index: buf.readUInt16LE(p + 1), optional: tok === 0x0e }, p + 4];
      case 0x07: {
        if (p + 3 > end) break;
        const e = p + 3 + buf.readUInt16LE(p + 1) * 2;
        if (e > end) break;
        return [{ k: K_CDATA, text: buf.toString("utf16le", p + 3, e) }, e];
      }
      case 0x08:
        if (p + 3 > end) break;
        return [{ k: K_CHARREF, code: buf.readUInt16LE(p + 1) }, p + 3];
      case 0x09: {
        const [name, next] = this.nameRef(p + 1, end);
        return [{ k: K_ENTREF, name }, next];
      }
      case 0x0a: {
        const [target, next] = this.nameRef(p + 1, end);
        let q = next;
        let data = "";
        if (q < end && buf[q] === 0x0b) {
          if (q + 3 > end) break;
          const e = q + 3 + buf.readUInt16LE(q + 1) * 2;
          if (e > end) break;
          data = buf.toString("utf16le", q + 3, e);
          q = e;
        }
        return [{ k: K_PI, target, data }, q];
      }
      case 0x0b: {
        if (p + 3 > end) break;
        const e = p + 3 + buf.readUInt16LE(p + 1) * 2;
        if (e > end) break;
        return [{ k: K_PI, target: "", data: buf.toString("utf16le", p + 3, e) }, e];
      }
      default:
        throw new BinXmlError(`unexpected BinXML token 0x${buf[p].toString(16)}`, p);
    }
    throw new BinXmlError(`truncated BinXML token 0x${buf[p].toString(16)}`, p);
  }

  private static isContentToken(tok: number): boolean {
    const t = tok & 0xbf;
    return t === 0x05 || t === 0x0d || t === 0x0e || t === 0x08 || t === 0x09 || t === 0x07;
  }

  /** Whether `off` can be the name offset of an element header ending at p (inline, or defined earlier). */
  private plausibleName(off: number, p: number): boolean {
    return off === p || (off >= 0x200 && off < p);
  }

  private element(pos: number, end: number): [ElemNode, number, boolean] {
    const buf = this.buf;
    const tok = buf[pos];
    if (pos + 11 > end) throw new BinXmlError("truncated element", pos);
    // Token, u16 dependency id, u32 data size, u32 name offset. Some writers omit the dependency id in BinXML
    // nested in substitution values: accept that layout when only it gives a sensible name offset.
    let p = pos + 11;
    let nameOff = buf.readUInt32LE(pos + 7);
    if (!this.plausibleName(nameOff, p)) {
      const alt = buf.readUInt32LE(pos + 5);
      if (this.plausibleName(alt, pos + 9)) {
        nameOff = alt;
        p = pos + 9;
      }
    }
    const [name, afterName] = this.nameRef(p - 4, end);
    p = afterName;
    if (tok & 0x40) p += 4; // attribute list size
    const attrs: AttrNode[] = [];
    while (p < end && (buf[p] & 0xbf) === 0x06) {
      const [attrName, next] = this.nameRef(p + 1, end);
      p = next;
      const value: Node[] = [];
      while (p < end && ChunkDecoder.isContentToken(buf[p])) {
        const [node, q] = this.content(p, end);
        value.push(node);
        p = q;
      }
      attrs.push({ name: attrName, value });
    }
    if (p >= end) throw new BinXmlError(`truncated element <${name}>`, pos);
    const close = buf[p];
    if (close === 0x02) return [{ k: K_ELEM, name, attrs, children: [] }, p + 1, true];
    if (close === 0x03) return [{ k: K_ELEM, name, attrs, children: [] }, p + 1, false];
    throw new BinXmlError(`unexpected token 0x${close.toString(16)} in start tag <${name}>`, p);
  }

  /** Parses a BinXML fragment in [pos, end) into nodes; stops after its end-of-fragment token. */
  parse(pos: number, end: number, depth: number): { nodes: Node[]; pos: number } {
    if (depth > MAX_DEPTH) throw new BinXmlError("BinXML nested too deeply", pos);
    const buf = this.buf;
    const root: Node[] = [];
    const stack: ElemNode[] = [];
    let cur = root;
    while (pos < end) {
      const tok = buf[pos];
      switch (tok & 0xbf) {
        case 0x00:
          if (stack.length) throw new BinXmlError(`fragment ends inside <${stack[stack.length - 1].name}>`, pos);
          return { nodes: root, pos: pos + 1 };
        case 0x0f:
          pos += 4;
          break;
        case 0x01: {
          if (stack.length + depth > MAX_DEPTH) throw new BinXmlError("elements nested too deeply", pos);
          const [el, next, open] = this.element(pos, end);
          cur.push(el);
          if (open) {
            stack.push(el);
            cur = el.children;
          }
          pos = next;
          break;
        }
        case 0x04:
          if (!stack.length) throw new BinXmlError("end tag without a start tag", pos);
          stack.pop();
          cur = stack.length ? stack[stack.length - 1].children : root;
          pos++;
          break;
        case 0x0c: {
          const [node, next] = this.templateInstance(pos, end, depth + stack.length);
          cur.push(node);
          pos = next;
          break;
        }
        default: {
          if (tok > 0x4f && tok !== 0x0c) throw new BinXmlError(`unknown BinXML token 0x${tok.toString(16)}`, pos);
          const [node, next] = this.content(pos, end);
          cur.push(node);
          pos = next;
        }
      }
    }
    if (stack.length) throw new BinXmlError(`BinXML ends inside <${stack[stack.length - 1].name}>`, pos);
    return { nodes: root, pos };
  }

  // ---------------------------------------------------------------- walking

  /** Walks the record whose BinXML occupies chunk bytes [pos, end), telling `visitor` what it holds. */
  walkRecord(pos: number, end: number, visitor: BinXmlVisitor): void {
    const { nodes } = this.parse(pos, end, 0);
    this.nest = 0;
    this.walk(nodes, EMPTY, 0, visitor);
  }

  /** Text of one substitution value (arrays joined with ", "). */
  private valueText(vals: number[], index: number): string {
    const i = index * 3;
    if (i >= vals.length) return "";
    const type = vals[i];
    if (type & VT.ArrayFlag) return arrayItems(this.buf, type, vals[i + 1], vals[i + 2]).join(", ");
    return scalarText(this.buf, type, vals[i + 1], vals[i + 2]);
  }

  /** Raw text of an attribute value. */
  private attrText(value: Node[], vals: number[]): string {
    if (value.length === 1) {
      const n = value[0];
      if (n.k === K_TEXT) return n.text;
      if (n.k === K_SUBST) {
        const i = n.index * 3;
        return i < vals.length && vals[i] === VT.BinXml ? "" : this.valueText(vals, n.index);
      }
    }
    let s = "";
    for (const n of value) {
      switch (n.k) {
        case K_TEXT:
          s += n.text;
          break;
        case K_SUBST: {
          const i = n.index * 3;
          if (i < vals.length && vals[i] === VT.BinXml) break;
          s += this.valueText(vals, n.index);
          break;
        }
        case K_CHARREF:
          s += String.fromCharCode(n.code);
          break;
        case K_ENTREF:
          s += PREDEFINED_ENTITIES[n.name] ?? `&${n.name};`;
          break;
        case K_CDATA:
          s += n.text;
          break;
      }
    }
    return s;
  }

  /** `depth` is the element depth (the nesting guard). */
  private walk(nodes: Node[], vals: number[], depth: number, visitor: BinXmlVisitor): void {
    for (let k = 0; k < nodes.length; k++) {
      const n = nodes[k];
      switch (n.k) {
        case K_ELEM:
          this.walkElement(n, vals, depth, visitor);
          break;
        case K_TEXT:
          if (n.text !== "") visitor.characters(n.text);
          break;
        case K_SUBST: {
          const i = n.index * 3;
          if (i < vals.length && vals[i] === VT.BinXml) {
            this.binXmlValue(vals[i + 1], vals[i + 2], depth, visitor);
            break;
          }
          const t = this.valueText(vals, n.index);
          if (t !== "") visitor.characters(t);
          break;
        }
        case K_CDATA:
          visitor.cdata(n.text);
          break;
        case K_CHARREF:
          visitor.characterReference(n.code);
          break;
        case K_ENTREF:
          visitor.entityReference(n.name);
          break;
        case K_PI:
          visitor.processingInstruction(n.target, n.data);
          break;
        case K_TMPL:
          if (depth > MAX_DEPTH) throw new BinXmlError("templates nested too deeply", n.template.offset);
          this.walk(n.template.nodes, n.values, depth, visitor);
          break;
      }
    }
  }

  private binXmlValue(off: number, size: number, depth: number, visitor: BinXmlVisitor): void {
    if (size === 0) return;
    if (++this.nest > 8) throw new BinXmlError("BinXML values nested too deeply", off);
    const { nodes } = this.parse(off, off + size, depth + this.nest);
    this.walk(nodes, EMPTY, depth, visitor);
    this.nest--;
  }

  private prepare(n: ElemNode): ElemPrep {
    let staticAttrs: BinXmlAttribute[] | null = [];
    for (const a of n.attrs) {
      if (!a.value.every((v) => v.k === K_TEXT)) {
        staticAttrs = null;
        break;
      }
      staticAttrs.push({ name: a.name, value: a.value.map((v) => (v as TextNode).text).join("") });
    }
    const kids = n.children;
    const sole = kids.length === 1 && kids[0].k === K_SUBST ? kids[0] : null;
    const staticText = kids.every((c) => c.k === K_TEXT) ? kids.map((c) => (c as TextNode).text).join("") : null;
    const staticStart: BinXmlElement | null = staticAttrs === null ? null : { name: n.name, attributes: staticAttrs, memo: {} };
    const prep: ElemPrep = { staticStart, sole, staticText };
    n.prep = prep;
    return prep;
  }

  /** The element's start tag in this instance of its template. */
  private startOf(n: ElemNode, prep: ElemPrep, vals: number[]): BinXmlElement {
    if (prep.staticStart !== null) return prep.staticStart;
    const attributes: BinXmlAttribute[] = [];
    for (let k = 0; k < n.attrs.length; k++) {
      const a = n.attrs[k];
      if (a.value.length === 1) {
        const v = a.value[0];
        // An optional substitution without a value drops the attribute, as Windows renders it.
        if (v.k === K_SUBST && v.optional && isEmptyValue(vals, v.index)) continue;
      }
      attributes.push({ name: a.name, value: this.attrText(a.value, vals) });
    }
    return { name: n.name, attributes, memo: null };
  }

  private walkElement(n: ElemNode, vals: number[], depth: number, visitor: BinXmlVisitor): void {
    const prep = n.prep ?? this.prepare(n);
    if (prep.staticText !== null) {
      visitor.textElement(this.startOf(n, prep, vals), prep.staticText);
      return;
    }
    const s = prep.sole;
    if (s !== null) {
      // An optional substitution without a value drops the element.
      if (s.optional && isEmptyValue(vals, s.index)) return;
      const i = s.index * 3;
      const type = i < vals.length ? vals[i] : VT.Null;
      if (!(type & VT.ArrayFlag) && type !== VT.BinXml) {
        const text = i < vals.length ? scalarText(this.buf, type, vals[i + 1], vals[i + 2]) : "";
        visitor.textElement(this.startOf(n, prep, vals), text);
        return;
      }
      if (type & VT.ArrayFlag) {
        // An array fills the element once per item (Windows repeats <Data> for each string of a string array).
        const start = this.startOf(n, prep, vals);
        for (const item of arrayItems(this.buf, type, vals[i + 1], vals[i + 2])) visitor.textElement(start, item);
        return;
      }
    }
    const start = this.startOf(n, prep, vals);
    visitor.startElement(start);
    this.walk(n.children, vals, depth + 1, visitor);
    visitor.endElement(start);
  }
}

const EMPTY: number[] = [];

function isEmptyValue(vals: number[], index: number): boolean {
  const i = index * 3;
  return i >= vals.length || vals[i] === VT.Null;
}

export { ValueError };
