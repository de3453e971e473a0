// The grammar of a Sigma rule's `condition` (Sigma specification, "Condition"), as a small recursive-descent
// parser: no well-kept npm package parses Sigma conditions (the JavaScript Sigma tools found are unmaintained
// converters, and a parser generator would be a build step for five productions). Precedence, loosest first:
// `or`, `and`, `not`, then parentheses, quantifiers (`1 of x*`, `all of x*`, `any of them`) and identifiers.
// Aggregations (`| count() by …`) and `near` are not supported: they are refused by name.
//
//   expr       := and ("or" and)*
//   and        := unary ("and" unary)*
//   unary      := "not" unary | primary
//   primary    := "(" expr ")" | quantifier "of" (pattern | "them") | identifier
//   quantifier := "1" | "any" | "all"

export type ConditionNode =
  | { type: "and" | "or"; args: ConditionNode[] }
  | { type: "not"; arg: ConditionNode }
  | { type: "ref"; name: string }
  | { type: "of"; quantifier: "one" | "all"; pattern: string };

type Token = { kind: "lparen" | "rparen" | "word"; text: string; at: number };

/** A condition the compiler does not implement: the message names the construct. */
export class SigmaConditionError extends Error {
  name = "SigmaConditionError";
}

function tokenize(condition: string): Token[] {
  const tokens: Token[] = [];
  const re = /\s*(?:(?<lparen>\()|(?<rparen>\))|(?<pipe>\|)|(?<word>[A-Za-z0-9_*.\-]+)|(?<other>\S))/y;
  for (let m = re.exec(condition); m?.groups && m[0].trim() !== ""; m = re.exec(condition)) {
    const { lparen, rparen, pipe, word, other } = m.groups;
    const at = re.lastIndex - m[0].trimStart().length;
    if (lparen) tokens.push({ kind: "lparen", text: "(", at });
    else if (rparen) tokens.push({ kind: "rparen", text: ")", at });
    else if (pipe) throw new SigmaConditionError(`aggregation '${condition.slice(at).trim()}' (the '|' part of a condition) is not supported`);
    else if (word) tokens.push({ kind: "word", text: word, at });
    else throw new SigmaConditionError(`unexpected character '${other}' at ${at} in condition '${condition}'`);
  }
  return tokens;
}

const KEYWORDS = new Set(["and", "or", "not", "of", "them", "1", "all", "any", "near"]);

export function parseCondition(condition: string): ConditionNode {
  const tokens = tokenize(condition);
  let pos = 0;
  const peek = () => tokens[pos];
  const isWord = (t: Token | undefined, word: string) => t?.kind === "word" && t.text.toLowerCase() === word;
  const fail = (what: string): never => {
    const t = peek();
    throw new SigmaConditionError(`${what} ${t ? `at '${t.text}' (offset ${t.at})` : "at the end"} of condition '${condition}'`);
  };

  function expr(): ConditionNode {
    const args = [and()];
    while (isWord(peek(), "or")) {
      pos++;
      args.push(and());
    }
    return args.length === 1 ? args[0] : { type: "or", args };
  }
  function and(): ConditionNode {
    const args = [unary()];
    while (isWord(peek(), "and")) {
      pos++;
      args.push(unary());
    }
    return args.length === 1 ? args[0] : { type: "and", args };
  }
  function unary(): ConditionNode {
    if (isWord(peek(), "not")) {
      pos++;
      return { type: "not", arg: unary() };
    }
    return primary();
  }
  function primary(): ConditionNode {
    const t = peek();
    if (!t) return fail("expected an identifier");
    if (t.kind === "lparen") {
      pos++;
      const inner = expr();
      if (peek()?.kind !== "rparen") fail("expected ')'");
      pos++;
      return inner;
    }
    if (t.kind === "rparen") return fail("unexpected ')'");
    const word = t.text.toLowerCase();
    if (word === "near") throw new SigmaConditionError(`'near' (temporal proximity) is not supported in condition '${condition}'`);
    if (word === "1" || word === "any" || word === "all") {
      pos++;
      if (!isWord(peek(), "of")) fail(`expected 'of' after '${t.text}'`);
      pos++;
      const target = peek();
      if (target?.kind !== "word" || (KEYWORDS.has(target.text.toLowerCase()) && target.text.toLowerCase() !== "them")) return fail("expected an identifier pattern or 'them'");
      pos++;
      return { type: "of", quantifier: word === "all" ? "all" : "one", pattern: target.text.toLowerCase() === "them" ? "*" : target.text };
    }
    if (KEYWORDS.has(word)) return fail(`unexpected '${t.text}'`);
    if (t.text.includes("*")) return fail("a wildcard identifier needs '1 of' or 'all of'");
    pos++;
    return { type: "ref", name: t.text };
  }

  const tree = expr();
  if (pos < tokens.length) fail("unexpected");
  return tree;
}
