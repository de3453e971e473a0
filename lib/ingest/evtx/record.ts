// A record's two outputs, the event XML and its EventParts, from one walk of its BinXML.
import type { EventParts } from "../event";
import type { ChunkDecoder } from "./binxml";
import { EventPartsRenderer } from "./render-parts";
import { XmlTextRenderer } from "./render-xml";
import { BinXmlTee } from "./visitor";

export interface RenderedRecord {
  xml: string;
  parts: EventParts;
}

/** Renders the record whose BinXML occupies chunk bytes [pos, end) of `decoder`'s chunk. */
export function renderRecord(decoder: ChunkDecoder, pos: number, end: number): RenderedRecord {
  const xml = new XmlTextRenderer();
  const parts = new EventPartsRenderer();
  decoder.walkRecord(pos, end, new BinXmlTee(xml, parts));
  return { xml: xml.xml(), parts: parts.parts() };
}
