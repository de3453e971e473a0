// The general path: any record, parsed with saxes, which knows only the five predefined entities and character
// references (no DTD is read, so no entity can be defined). It decides every rejection and words its reason. Event
// text is attacker-controlled: a DOCTYPE is refused here too, not only by the splitter and ../xml.ts before it.
import { SaxesParser, type SaxesTagPlain } from "saxes";
import type { EventParts } from "../../event";
import { RecordError } from "../../normalize";
import { EventPartsBuilder, localName } from "./parts-builder";
import { declarationError } from "./splitter";

/** Parses a record with saxes (which knows only the predefined entities and character references). */
function parseWithSaxes(text: string, line: number, builder: EventPartsBuilder): void {
  const parser = new SaxesParser({ xmlns: false, position: true });
  let failure: string | null = null;
  parser.on("error", (err) => {
    // The first error is enough; saxes prefixes "line:column: ".
    if (failure === null) {
      const m = /^(\d+):(\d+): (.*)$/s.exec(err.message);
      failure = m ? `malformed XML at line ${line + Number(m[1]) - 1}, column ${m[2]}: ${m[3]}` : `malformed XML: ${err.message}`;
    }
    throw new RecordError(failure);
  });
  parser.on("opentag", (tag: SaxesTagPlain) => {
    const attributes: Record<string, string> = {};
    for (const [k, v] of Object.entries(tag.attributes)) attributes[localName(k)] = v;
    builder.open(localName(tag.name), tag.name, attributes);
  });
  const onText = (t: string) => builder.text(t);
  parser.on("text", onText);
  parser.on("cdata", onText);
  parser.on("closetag", () => builder.close());
  parser.on("doctype", (doctype) => {
    throw declarationError(`<!DOCTYPE${doctype}>`, line);
  });
  parser.write(text).close();
}

/** The record's parts; throws RecordError (with the absolute line) when it is malformed or not a usable event. */
export function saxesEventParts(text: string, line: number): EventParts {
  const builder = new EventPartsBuilder();
  parseWithSaxes(text, line, builder);
  return builder.finish();
}
