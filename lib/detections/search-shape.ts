// Reads the shape of an ESCU event search from its SPL text. The content loader (content.ts) builds the
// structured search the engine runs from it, so a detection runs exactly the search its YAML publishes and an
// upgraded YAML brings its own search. Only the pipeline ESCU's event detections use is understood; anything else
// is refused, not guessed.

export interface EscuSearchShape {
  macro: string;
  where: { field: string; value: string }[];
  statsBy: string[];
  rename: { from: string; to: string }[];
  ctime: string[];
  filterMacro: string;
}

export function parseEscuSearch(spl: string): EscuSearchShape {
  const stages = spl.split("|").map((s) => s.trim().replace(/\s+/g, " "));
  const [head, ...rest] = stages;
  const headMatch = /^`(\w+)`((?: \w+=\S+)*)$/.exec(head);
  if (!headMatch) throw new Error(`unrecognised search head '${head}'`);
  const where = headMatch[2]
    .trim()
    .split(" ")
    .filter(Boolean)
    .map((c) => {
      const [field, value] = c.split("=");
      return { field, value: value.replace(/^"(.*)"$/, "$1") };
    });
  const shape: EscuSearchShape = { macro: headMatch[1], where, statsBy: [], rename: [], ctime: [], filterMacro: "" };
  for (const stage of rest) {
    let m: RegExpExecArray | null;
    if ((m = /^stats count min\(_time\) as firstTime max\(_time\) as lastTime by (.+)$/i.exec(stage))) shape.statsBy = m[1].split(" ");
    else if ((m = /^rename (\w+) AS (\w+)$/i.exec(stage))) shape.rename.push({ from: m[1], to: m[2] });
    else if ((m = /^`security_content_ctime\((\w+)\)`$/.exec(stage))) shape.ctime.push(m[1]);
    else if ((m = /^`(\w+_filter)`$/.exec(stage))) shape.filterMacro = m[1];
    else throw new Error(`unrecognised search stage '${stage}'`);
  }
  return shape;
}
