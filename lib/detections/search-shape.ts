// Reads the shape of an ESCU search from its SPL text. The content loader (content.ts) builds the structured search
// the engine runs from it, so a detection runs exactly the search its YAML publishes and an upgraded YAML brings its
// own search. Only the pipelines ESCU's IIS Components detections use are understood; anything else is refused, not
// guessed:
//   `macro` <conditions> | stats count min(_time) as firstTime max(_time) as lastTime by … | rename A AS B | …
//   | tstats `security_content_summariesonly` count min(_time) as firstTime max(_time) as lastTime
//       from datamodel=Endpoint.Processes where <conditions> by … | `drop_dm_object_name(Processes)` | …
// then `security_content_ctime(firstTime|lastTime)` and the `<name>_filter` macro.

/**
 * A search condition, with Splunk's meaning: `field=value` and `field IN (v, …)` compare values case-insensitively,
 * `*` in a value is a wildcard; a field the event lacks matches nothing (so `NOT` of it holds).
 */
export type SearchCondition = { all: SearchCondition[] } | { any: SearchCondition[] } | { not: SearchCondition } | { field: string; values: string[] };

export interface EscuSearchShape {
  /** The event search's macro (`powershell`), or the tstats search's (`security_content_summariesonly`). */
  macro: string;
  /** `from datamodel=…` of a tstats search. */
  datamodel: string | null;
  /** Top-level `field=value` conditions without wildcards (all must hold). */
  where: { field: string; value: string }[];
  /** The other conditions (IN lists, wildcards, NOT, OR), null when there are none. */
  condition: SearchCondition | null;
  statsBy: string[];
  rename: { from: string; to: string }[];
  /** `drop_dm_object_name(<object>)`'s object. */
  dropDmObjectName: string | null;
  ctime: string[];
  filterMacro: string;
}

type Token = { kind: "word" | "string"; text: string } | { kind: "op"; text: "(" | ")" | "," | "=" | "!=" };

/** Splits a where clause into words, quoted strings (Splunk's `\"` and `\\` escapes undone) and operators. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) i++;
    else if (c === '"') {
      let value = "";
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === "\\" && (text[i + 1] === '"' || text[i + 1] === "\\")) i++;
        value += text[i++];
      }
      if (i >= text.length) throw new Error(`unterminated string in '${text}'`);
      i++;
      tokens.push({ kind: "string", text: value });
    } else if (c === "!" && text[i + 1] === "=") {
      tokens.push({ kind: "op", text: "!=" });
      i += 2;
    } else if (c === "(" || c === ")" || c === "," || c === "=") {
      tokens.push({ kind: "op", text: c });
      i++;
    } else {
      const m = /^[^\s(),="!]+/.exec(text.slice(i));
      if (!m) throw new Error(`unexpected '${c}' in '${text}'`);
      tokens.push({ kind: "word", text: m[0] });
      i += m[0].length;
    }
  }
  return tokens;
}

/**
 * Parses search conditions with Splunk's precedence: parentheses, then NOT, then OR, then AND (explicit or implied
 * by juxtaposition). `!=` is refused: Splunk's `field!=value` also requires the field to exist, which no search here
 * uses.
 */
export function parseConditions(text: string): SearchCondition {
  const tokens = tokenize(text);
  let pos = 0;
  const peek = () => tokens[pos];
  const isWord = (t: Token | undefined, w: string) => t?.kind === "word" && t.text.toUpperCase() === w;
  const expectOp = (op: string) => {
    const t = tokens[pos++];
    if (t?.kind !== "op" || t.text !== op) throw new Error(`expected '${op}' in '${text}'`);
  };
  const value = (): string => {
    const t = tokens[pos++];
    if (!t || t.kind === "op") throw new Error(`expected a value in '${text}'`);
    return t.text;
  };

  function and(): SearchCondition {
    const parts = [or()];
    while (pos < tokens.length && !(peek().kind === "op" && peek().text === ")")) {
      if (isWord(peek(), "AND")) pos++;
      parts.push(or());
    }
    return parts.length === 1 ? parts[0] : { all: parts };
  }
  function or(): SearchCondition {
    const parts = [not()];
    while (isWord(peek(), "OR")) {
      pos++;
      parts.push(not());
    }
    return parts.length === 1 ? parts[0] : { any: parts };
  }
  function not(): SearchCondition {
    if (isWord(peek(), "NOT")) {
      pos++;
      return { not: not() };
    }
    return primary();
  }
  function primary(): SearchCondition {
    const t = tokens[pos++];
    if (t?.kind === "op" && t.text === "(") {
      const inner = and();
      expectOp(")");
      return inner;
    }
    if (t?.kind !== "word") throw new Error(`expected a field in '${text}'`);
    const next = tokens[pos++];
    if (next?.kind === "op" && next.text === "=") return { field: t.text, values: [value()] };
    if (next?.kind === "op" && next.text === "!=") throw new Error(`'!=' is not supported ('${text}')`);
    if (isWord(next, "IN")) {
      expectOp("(");
      const values = [value()];
      while (peek()?.kind === "op" && peek().text === ",") {
        pos++;
        values.push(value());
      }
      expectOp(")");
      return { field: t.text, values };
    }
    throw new Error(`unrecognised condition at '${t.text}' in '${text}'`);
  }

  const condition = and();
  if (pos !== tokens.length) throw new Error(`unrecognised conditions '${text}'`);
  return condition;
}

/** Top-level plain equalities (no wildcard) apart from the rest, which stays a condition. */
function splitWhere(condition: SearchCondition | null): Pick<EscuSearchShape, "where" | "condition"> {
  if (!condition) return { where: [], condition: null };
  const parts = "all" in condition ? condition.all : [condition];
  const isPlain = (c: SearchCondition): c is { field: string; values: string[] } => "field" in c && c.values.length === 1 && !c.values[0].includes("*");
  const where = parts.filter(isPlain).map((c) => ({ field: c.field, value: c.values[0] }));
  const rest = parts.filter((c) => !isPlain(c));
  return { where, condition: rest.length === 0 ? null : rest.length === 1 ? rest[0] : { all: rest } };
}

/** Collapses runs of whitespace outside double quotes (YAML folding leaves them), keeping quoted values as written. */
function collapse(text: string): string {
  return text.replace(/"(?:[^"\\]|\\.)*"|\s+/g, (m) => (m.startsWith('"') ? m : " ")).trim();
}

/** Splits a pipeline on `|` outside double quotes. */
function stagesOf(spl: string): string[] {
  const stages: string[] = [];
  let current = "";
  let quoted = false;
  for (let i = 0; i < spl.length; i++) {
    const c = spl[i];
    if (c === "\\" && quoted) {
      current += c + (spl[i + 1] ?? "");
      i++;
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === "|" && !quoted) {
      stages.push(current);
      current = "";
    } else current += c;
  }
  stages.push(current);
  return stages.map(collapse);
}

const AGGREGATES = "count min\\(_time\\) as firstTime max\\(_time\\) as lastTime";

export function parseEscuSearch(spl: string): EscuSearchShape {
  const stages = stagesOf(spl);
  const shape: EscuSearchShape = { macro: "", datamodel: null, where: [], condition: null, statsBy: [], rename: [], dropDmObjectName: null, ctime: [], filterMacro: "" };
  let rest: string[];
  if (stages[0] === "") {
    // `| tstats …`: a generating command, so the first stage is empty.
    const m = new RegExp(`^tstats \`(\\w+)\` ${AGGREGATES} from datamodel=([\\w.]+) where (.+) by ([\\w. ]+)$`, "i").exec(stages[1] ?? "");
    if (!m) throw new Error(`unrecognised tstats stage '${stages[1]}'`);
    shape.macro = m[1];
    shape.datamodel = m[2];
    Object.assign(shape, splitWhere(parseConditions(m[3])));
    shape.statsBy = m[4].split(" ");
    rest = stages.slice(2);
  } else {
    const head = /^`(\w+)`(.*)$/.exec(stages[0]);
    if (!head) throw new Error(`unrecognised search head '${stages[0]}'`);
    shape.macro = head[1];
    Object.assign(shape, splitWhere(head[2].trim() ? parseConditions(head[2]) : null));
    rest = stages.slice(1);
  }
  for (const stage of rest) {
    let m: RegExpExecArray | null;
    if (!shape.datamodel && (m = new RegExp(`^stats ${AGGREGATES} by ([\\w ]+)$`, "i").exec(stage))) shape.statsBy = m[1].split(" ");
    else if ((m = /^rename (\w+) AS (\w+)$/i.exec(stage))) shape.rename.push({ from: m[1], to: m[2] });
    else if (shape.datamodel && (m = /^`drop_dm_object_name\((\w+)\)`$/.exec(stage))) {
      // rename <object>.* as *: every by-field of that object loses its prefix.
      const prefix = `${m[1]}.`;
      shape.dropDmObjectName = m[1];
      for (const f of shape.statsBy) if (f.startsWith(prefix)) shape.rename.push({ from: f, to: f.slice(prefix.length) });
    } else if ((m = /^`security_content_ctime\((\w+)\)`$/.exec(stage))) shape.ctime.push(m[1]);
    else if ((m = /^`(\w+_filter)`$/.exec(stage))) shape.filterMacro = m[1];
    else throw new Error(`unrecognised search stage '${stage}'`);
  }
  return shape;
}
