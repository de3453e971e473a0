// Sigma rules on the same engine: the subset of Sigma that SigmaHQ's IIS rules use, compiled into a predicate over
// the events table (values always bound parameters, never spliced into SQL text). A rule is read as published
// (content/sigma/, the `yaml` parser); its logsource picks channels and event codes and renames fields through the
// one mapping below; its detection's selections (maps AND, lists OR), field modifiers and condition (parsed by
// sigma-condition.ts) become a predicate tree the spec carries, which sigma-sql.ts turns into SQL. A construct
// outside the subset is refused when the rule loads, with the rule and the construct named — never approximated.
import { z } from "zod";
import { parseCondition, SigmaConditionError, type ConditionNode } from "./sigma-condition";

/**
 * Sigma logsource -> the events it reads, declared once. Channels as pySigma names them (sigma/pipelines/common.py
 * `windows_logsource_mapping`, which has no `iis-configuration` entry: its channel is the one the rules' Event 29
 * comes from, Microsoft-IIS-Configuration/Operational). `process_creation` is read from Sysmon Event 1
 * (pySigma-pipeline-sysmon: process_creation -> service sysmon, EventID 1, Sigma's field names as Sysmon's) and
 * from Security 4688 (pySigma-pipeline-windows `windows_audit_pipeline`: process_creation -> service security,
 * EventID 4688, fields Image -> NewProcessName, ParentImage -> ParentProcessName). A field a source does not have
 * (OriginalFileName in 4688) is absent there, so it matches nothing, as in pySigma's output.
 */
export const SIGMA_LOGSOURCES = {
  "windows/iis-configuration": {
    logsource: { product: "windows", service: "iis-configuration" },
    sources: [{ channel: "Microsoft-IIS-Configuration/Operational", eventCode: null, fields: {} }],
    dataSource: ["Windows IIS 29"],
    howToImplement:
      "Enable the Microsoft-IIS-Configuration/Operational log (off by default) and upload it: Event 29 carries Configuration, OldValue and NewValue.",
  },
  "windows/process_creation": {
    logsource: { product: "windows", category: "process_creation" },
    sources: [
      { channel: "Microsoft-Windows-Sysmon/Operational", eventCode: 1, fields: {} },
      { channel: "Security", eventCode: 4688, fields: { Image: "NewProcessName", ParentImage: "ParentProcessName" } },
    ],
    dataSource: ["Sysmon EventID 1", "Windows Event Log Security 4688"],
    howToImplement:
      "Upload Sysmon's Operational log (Event 1) or the Security log with process creation auditing and command lines (Event 4688, ProcessCreationIncludeCmdLine_Enabled).",
  },
} as const satisfies Record<string, SigmaLogsourceMapping>;

export interface SigmaLogsourceMapping {
  logsource: { product: string; service?: string; category?: string };
  /** Each source: its channel, its event code when the logsource implies one, and Sigma field -> its event data name. */
  sources: readonly { channel: string; eventCode: number | null; fields: Readonly<Record<string, string>> }[];
  /** The data source names shown in the catalogue (ESCU's names where ESCU has one). */
  dataSource: readonly string[];
  howToImplement: string;
}

export type SigmaLogsourceKey = keyof typeof SIGMA_LOGSOURCES;

/** Sigma field modifiers the compiler implements; any other is refused at load. */
export const SUPPORTED_MODIFIERS = ["contains", "startswith", "endswith", "all", "windash", "re"] as const;

/** The predicate a rule compiles to: serialisable (the spec carries it) and turned into SQL by sigma-sql.ts. */
export type SigmaPredicate =
  | { op: "and" | "or"; args: SigmaPredicate[] }
  | { op: "not"; arg: SigmaPredicate }
  | { op: "eventCode"; value: number }
  | { op: "channel"; value: string }
  /** An event data value: equal (case-insensitive), LIKE a lower-cased pattern, a regex, empty or absent. */
  | { op: "field"; key: string; match: "eq" | "like" | "re"; value: string }
  | { op: "field"; key: string; match: "empty" | "null" };

export const sigmaPredicateSchema: z.ZodType<SigmaPredicate> = z.lazy(() =>
  z.union([
    z.object({ op: z.enum(["and", "or"]), args: z.array(sigmaPredicateSchema).min(1) }),
    z.object({ op: z.literal("not"), arg: sigmaPredicateSchema }),
    z.object({ op: z.literal("eventCode"), value: z.number().int() }),
    z.object({ op: z.literal("channel"), value: z.string().min(1) }),
    z.object({ op: z.literal("field"), key: z.string().min(1), match: z.enum(["eq", "like", "re"]), value: z.string() }),
    z.object({ op: z.literal("field"), key: z.string().min(1), match: z.enum(["empty", "null"]) }),
  ]),
);

/** A Sigma rule as published: what the compiler and the spec read of it (other keys are kept but not used). */
export const sigmaRuleSchema = z.looseObject({
  title: z.string().min(1),
  id: z.uuid(),
  status: z.enum(["stable", "test", "experimental", "deprecated", "unsupported"]),
  description: z.string().min(1),
  references: z.array(z.string()).default([]),
  author: z.string().min(1),
  date: z.union([z.string(), z.date()]),
  modified: z.union([z.string(), z.date()]).optional(),
  tags: z.array(z.string()).default([]),
  logsource: z.looseObject({ product: z.string().optional(), service: z.string().optional(), category: z.string().optional() }),
  detection: z.record(z.string(), z.unknown()),
  falsepositives: z.array(z.string()).default([]),
  level: z.enum(["informational", "low", "medium", "high", "critical"]),
});
export type SigmaRule = z.infer<typeof sigmaRuleSchema>;
export type SigmaLevel = SigmaRule["level"];

/** A rule outside the subset, or malformed: names the rule and the construct. */
export class SigmaCompileError extends Error {
  name = "SigmaCompileError";
}

export interface CompiledSigmaRule {
  logsource: SigmaLogsourceKey;
  predicate: SigmaPredicate;
  /** The Sigma fields the detection reads, in order of first use (EventID aside): the result row's fields after dest. */
  fields: string[];
  /** Per Sigma field, the event data names it is read from across the logsource's sources. */
  fieldKeys: Record<string, string[]>;
}

function logsourceOf(rule: SigmaRule): SigmaLogsourceKey {
  const { product, service, category } = rule.logsource;
  for (const [key, mapping] of Object.entries(SIGMA_LOGSOURCES) as [SigmaLogsourceKey, SigmaLogsourceMapping][]) {
    const want = mapping.logsource;
    if (want.product === product && (want.service ?? undefined) === service && (want.category ?? undefined) === category) return key;
  }
  throw new Error(`logsource ${JSON.stringify(rule.logsource)} has no mapping to our channels (lib/detections/sigma.ts SIGMA_LOGSOURCES)`);
}

/** Windows' interchangeable parameter dashes (pySigma's windash: `-`, `/`, en dash, em dash, horizontal bar) at the start of a word. */
const WINDASH = ["-", "/", "\u2013", "\u2014", "\u2015"];
function windashVariants(value: string): string[] {
  const positions = [...value.matchAll(/(?<!\w)[-/](?=\w)/g)].map((m) => m.index!);
  let variants = [value];
  for (const at of positions) variants = variants.flatMap((v) => WINDASH.map((d) => v.slice(0, at) + d + v.slice(at + 1)));
  return [...new Set(variants)];
}

/**
 * A Sigma string as a LIKE pattern (default escape `\`): `*` any run, `?` one character, `\*` `\?` `\\` the
 * character itself; any other backslash is literal (Sigma's escaping), and LIKE's own `%`, `_`, `\` are escaped.
 */
function likePattern(value: string): { pattern: string; wildcard: boolean } {
  let pattern = "";
  let wildcard = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === "\\" && (value[i + 1] === "*" || value[i + 1] === "?" || value[i + 1] === "\\")) {
      pattern += value[i + 1] === "\\" ? "\\\\" : value[i + 1];
      i++;
    } else if (c === "*") {
      pattern += "%";
      wildcard = true;
    } else if (c === "?") {
      pattern += "_";
      wildcard = true;
    } else pattern += c === "%" || c === "_" || c === "\\" ? `\\${c}` : c;
  }
  return { pattern, wildcard };
}

const anyOf = (args: SigmaPredicate[]): SigmaPredicate => (args.length === 1 ? args[0] : { op: "or", args });
const allOf = (args: SigmaPredicate[]): SigmaPredicate => (args.length === 1 ? args[0] : { op: "and", args });

/** Compiles a published Sigma rule (its YAML already parsed) into the engine's predicate. `where` names the rule in errors. */
export function compileSigmaRule(input: unknown, where: string): CompiledSigmaRule {
  const parsed = sigmaRuleSchema.safeParse(input);
  if (!parsed.success) throw new SigmaCompileError(`Sigma rule ${where}: ${z.prettifyError(parsed.error)}`);
  const rule = parsed.data;
  const fail = (construct: string): never => {
    throw new SigmaCompileError(`Sigma rule ${where} ("${rule.title}"): ${construct}`);
  };
  let logsource: SigmaLogsourceKey;
  try {
    logsource = logsourceOf(rule);
  } catch (e) {
    return fail((e as Error).message);
  }
  for (const key of ["timeframe", "correlation"]) if (key in rule.detection || key in rule) fail(`'${key}' is not supported`);
  const mapping: SigmaLogsourceMapping = SIGMA_LOGSOURCES[logsource];
  const fields: string[] = [];
  const fieldKeys: Record<string, string[]> = {};

  /** One `Field|mod|mod: value(s)` entry, read through a source's field names. */
  function fieldItem(spec: string, raw: unknown, rename: Readonly<Record<string, string>>): SigmaPredicate {
    const [field, ...modifiers] = spec.split("|");
    if (!/^[A-Za-z][\w.]*$/.test(field)) fail(`field name '${field}' is not supported (keyword searches and field-less values are not)`);
    for (const m of modifiers) if (!(SUPPORTED_MODIFIERS as readonly string[]).includes(m)) fail(`field modifier '${m}' (in '${spec}') is not supported`);
    const has = (m: string) => modifiers.includes(m);
    const position = ["contains", "startswith", "endswith"].filter(has);
    if (position.length > 1) fail(`modifiers '${position.join("|")}' together (in '${spec}')`);
    if (has("re") && modifiers.length > 1) fail(`'re' with other modifiers (in '${spec}') is not supported`);
    const values = Array.isArray(raw) ? raw : [raw];
    if (values.length === 0) fail(`'${spec}' has an empty list of values`);
    if (has("all") && !Array.isArray(raw)) fail(`'all' on a single value (in '${spec}')`);

    if (field === "EventID") {
      if (modifiers.length) fail(`modifiers on EventID (in '${spec}')`);
      return anyOf(values.map((v) => (typeof v === "number" && Number.isInteger(v) ? { op: "eventCode", value: v } : fail(`EventID value ${JSON.stringify(v)} is not an integer`))));
    }
    const key = rename[field] ?? field;
    if (!fields.includes(field)) fields.push(field);
    fieldKeys[field] = [...new Set([...(fieldKeys[field] ?? []), key])];

    const one = (v: unknown): SigmaPredicate => {
      if (v === null) return position.length || has("re") ? fail(`null with modifiers (in '${spec}')`) : { op: "field", key, match: "null" };
      if (typeof v === "object") return fail(`a nested value in '${spec}' is not supported`);
      const text = String(v);
      if (has("re")) {
        try {
          new RegExp(text);
        } catch {
          fail(`'${text}' in '${spec}' is not a regular expression`);
        }
        return { op: "field", key, match: "re", value: text };
      }
      const variants = has("windash") ? windashVariants(text) : [text];
      return anyOf(
        variants.map((variant): SigmaPredicate => {
          const { pattern, wildcard } = likePattern(variant);
          if (!position.length && !wildcard) return variant === "" ? { op: "field", key, match: "empty" } : { op: "field", key, match: "eq", value: variant };
          const before = has("contains") || has("endswith") ? "%" : "";
          const after = has("contains") || has("startswith") ? "%" : "";
          return { op: "field", key, match: "like", value: `${before}${pattern}${after}` };
        }),
      );
    };
    const each = values.map(one);
    return has("all") ? allOf(each) : anyOf(each);
  }

  function selection(name: string, body: unknown, rename: Readonly<Record<string, string>>): SigmaPredicate {
    const map = (m: unknown): SigmaPredicate => {
      if (m === null || typeof m !== "object" || Array.isArray(m)) return fail(`'${name}' holds keywords or a nested list: keyword searches are not supported`);
      const entries = Object.entries(m);
      if (entries.length === 0) fail(`'${name}' is an empty map`);
      return allOf(entries.map(([k, v]) => fieldItem(k, v, rename)));
    };
    if (Array.isArray(body)) {
      if (body.length === 0) fail(`'${name}' is an empty list`);
      return anyOf(body.map(map));
    }
    return map(body);
  }

  const { condition, ...identifiers } = rule.detection;
  if (typeof condition !== "string") fail(Array.isArray(condition) ? "a list of conditions is not supported" : "the detection has no condition");
  const names = Object.keys(identifiers);
  let tree: ConditionNode;
  try {
    tree = parseCondition(condition as string);
  } catch (e) {
    if (e instanceof SigmaConditionError) return fail(e.message);
    throw e;
  }

  const glob = (pattern: string) => new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`);
  function conditionPredicate(node: ConditionNode, rename: Readonly<Record<string, string>>): SigmaPredicate {
    switch (node.type) {
      case "and":
      case "or":
        return { op: node.type, args: node.args.map((a) => conditionPredicate(a, rename)) };
      case "not":
        return { op: "not", arg: conditionPredicate(node.arg, rename) };
      case "ref":
        if (!names.includes(node.name)) fail(`the condition names '${node.name}', which the detection does not define`);
        return selection(node.name, identifiers[node.name], rename);
      case "of": {
        // `them` is every search identifier but those starting with `_` (Sigma specification 2.0).
        const matched = names.filter((n) => glob(node.pattern).test(n) && !(node.pattern === "*" && n.startsWith("_")));
        if (matched.length === 0) fail(`'${node.quantifier === "all" ? "all" : "1"} of ${node.pattern}' matches no search identifier`);
        const args = matched.map((n) => selection(n, identifiers[n], rename));
        return node.quantifier === "all" ? allOf(args) : anyOf(args);
      }
    }
  }

  // One alternative per source (its channel, its event code, the detection through its field names).
  const predicate = anyOf(
    mapping.sources.map((source) =>
      allOf([
        { op: "channel", value: source.channel },
        ...(source.eventCode === null ? [] : [{ op: "eventCode" as const, value: source.eventCode }]),
        conditionPredicate(tree, source.fields),
      ]),
    ),
  );
  return { logsource, predicate, fields, fieldKeys };
}

/** The techniques of a rule's `attack.tNNNN[.NNN]` tags, as ATT&CK ids. */
export function sigmaTechniques(tags: readonly string[]): string[] {
  return [...new Set(tags.map((t) => /^attack\.(t\d{4}(?:\.\d{3})?)$/i.exec(t)?.[1]?.toUpperCase()).filter((t): t is string => !!t))].sort();
}
