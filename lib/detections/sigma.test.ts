// The Sigma subset compiler: condition grammar, selections, modifiers, and the errors a rule outside the subset
// gets at load. The predicates' meaning on real events is sigma.db.test.ts's.
import fs from "node:fs";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import { describe, expect, it } from "vitest";
import { SAMPLES_DIR } from "../../tests/samples";
import { parseCondition } from "./sigma-condition";
import { compileSigmaRule, sigmaTechniques, type SigmaPredicate } from "./sigma";
import { sigmaPredicateSql } from "./sigma-sql";
import { DETECTION_SPECS } from "./specs";
import { SIGMA_LEVEL_SCORES, severityForScore } from "./rba";

const REPO = path.resolve(import.meta.dirname, "../..");

/** A minimal process_creation rule with this detection. */
const rule = (detection: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  title: "Test Rule",
  id: "11111111-2222-4333-8444-555555555555",
  status: "test",
  description: "d",
  author: "someone",
  date: "2026-01-01",
  logsource: { category: "process_creation", product: "windows" },
  level: "medium",
  detection,
  ...extra,
});

/** The rule's predicate on the Sysmon source (the first of process_creation's two). */
function sysmonBranch(detection: Record<string, unknown>): SigmaPredicate {
  const { predicate } = compileSigmaRule(rule(detection), "test.yml");
  if (predicate.op !== "or") throw new Error("expected one branch per source");
  const sysmon = predicate.args[0];
  if (sysmon.op !== "and") throw new Error("expected channel AND code AND detection");
  expect(sysmon.args.slice(0, 2)).toEqual([
    { op: "channel", value: "Microsoft-Windows-Sysmon/Operational" },
    { op: "eventCode", value: 1 },
  ]);
  return sysmon.args[2];
}

const like = (key: string, value: string): SigmaPredicate => ({ op: "field", key, match: "like", value });
const eq = (key: string, value: string): SigmaPredicate => ({ op: "field", key, match: "eq", value });

describe("Sigma condition grammar", () => {
  it("binds not tighter than and, and tighter than or; parentheses group", () => {
    expect(parseCondition("a or b and not c")).toEqual({
      type: "or",
      args: [{ type: "ref", name: "a" }, { type: "and", args: [{ type: "ref", name: "b" }, { type: "not", arg: { type: "ref", name: "c" } }] }],
    });
    expect(parseCondition("(a or b) and c")).toEqual({
      type: "and",
      args: [{ type: "or", args: [{ type: "ref", name: "a" }, { type: "ref", name: "b" }] }, { type: "ref", name: "c" }],
    });
  });

  it("reads quantifiers over identifier patterns and them", () => {
    expect(parseCondition("all of selection_* and not 1 of filter_*")).toEqual({
      type: "and",
      args: [{ type: "of", quantifier: "all", pattern: "selection_*" }, { type: "not", arg: { type: "of", quantifier: "one", pattern: "filter_*" } }],
    });
    expect(parseCondition("any of them")).toEqual({ type: "of", quantifier: "one", pattern: "*" });
  });

  it("refuses what it does not implement, saying what", () => {
    expect(() => parseCondition("selection | count() by dest > 5")).toThrow(/aggregation .*count\(\) by dest > 5.* not supported/);
    expect(() => parseCondition("a near b")).toThrow(/unexpected 'near'|'near'/);
    expect(() => parseCondition("(a or b")).toThrow(/expected '\)'/);
    expect(() => parseCondition("a and")).toThrow(/expected an identifier at the end/);
    expect(() => parseCondition("selection_*")).toThrow(/wildcard identifier needs '1 of' or 'all of'/);
    expect(() => parseCondition("a & b")).toThrow(/unexpected character '&' at 2/);
    expect(parseCondition("  a   AND  b  ")).toEqual({ type: "and", args: [{ type: "ref", name: "a" }, { type: "ref", name: "b" }] });
  });
});

describe("Sigma selections and modifiers", () => {
  it("ANDs a map's fields and ORs a list of maps or of values", () => {
    expect(sysmonBranch({ sel: [{ Image: "a.exe", CommandLine: "x" }, { Image: "b.exe" }], condition: "sel" })).toEqual({
      op: "or",
      args: [{ op: "and", args: [eq("Image", "a.exe"), eq("CommandLine", "x")] }, eq("Image", "b.exe")],
    });
    expect(sysmonBranch({ sel: { Image: ["a.exe", "b.exe"] }, condition: "sel" })).toEqual({ op: "or", args: [eq("Image", "a.exe"), eq("Image", "b.exe")] });
  });

  it("compiles contains, startswith, endswith and all to patterns, escaping LIKE's own characters", () => {
    expect(sysmonBranch({ sel: { "CommandLine|contains|all": ["set", "50%_off"] }, condition: "sel" })).toEqual({
      op: "and",
      args: [like("CommandLine", "%set%"), like("CommandLine", "%50\\%\\_off%")],
    });
    expect(sysmonBranch({ sel: { "Image|endswith": "\\appcmd.exe" }, condition: "sel" })).toEqual(like("Image", "%\\\\appcmd.exe"));
    expect(sysmonBranch({ sel: { "Image|startswith": "C:\\Windows\\" }, condition: "sel" })).toEqual(like("Image", "C:\\\\Windows\\\\%"));
  });

  it("treats Sigma's * and ? as wildcards and \\* as a star", () => {
    expect(sysmonBranch({ sel: { CommandLine: "*gacutil?/i*" }, condition: "sel" })).toEqual(like("CommandLine", "%gacutil_/i%"));
    expect(sysmonBranch({ sel: { CommandLine: "a\\*b" }, condition: "sel" })).toEqual(eq("CommandLine", "a\\*b"));
  });

  it("expands windash to every Windows parameter dash at the start of a word", () => {
    expect(sysmonBranch({ sel: { "CommandLine|contains|windash": "-name:" }, condition: "sel" })).toEqual({
      op: "or",
      args: ["-", "/", "\u2013", "\u2014", "\u2015"].map((d) => like("CommandLine", `%${d}name:%`)),
    });
  });

  it("reads an empty value as empty-or-absent, null as absent, and re as a regular expression", () => {
    expect(sysmonBranch({ sel: { NewValue: "" }, condition: "sel" })).toEqual({ op: "field", key: "NewValue", match: "empty" });
    expect(sysmonBranch({ sel: { NewValue: null }, condition: "sel" })).toEqual({ op: "field", key: "NewValue", match: "null" });
    expect(sysmonBranch({ sel: { "CommandLine|re": "^a.*b$" }, condition: "sel" })).toEqual({ op: "field", key: "CommandLine", match: "re", value: "^a.*b$" });
  });

  it("maps Image and ParentImage to 4688's names on the Security source only", () => {
    const { predicate, fieldKeys } = compileSigmaRule(rule({ sel: { "ParentImage|endswith": "\\w3wp.exe", CommandLine: "x" }, condition: "sel" }), "t.yml");
    expect(predicate).toMatchObject({
      op: "or",
      args: [
        { args: [{ value: "Microsoft-Windows-Sysmon/Operational" }, { value: 1 }, { args: [{ key: "ParentImage" }, { key: "CommandLine" }] }] },
        { args: [{ value: "Security" }, { value: 4688 }, { args: [{ key: "ParentProcessName" }, { key: "CommandLine" }] }] },
      ],
    });
    expect(fieldKeys).toEqual({ ParentImage: ["ParentImage", "ParentProcessName"], CommandLine: ["CommandLine"] });
  });

  it("resolves 1 of / all of / them against the detection's identifiers", () => {
    const detection = { selection_a: { Image: "a" }, selection_b: { Image: "b" }, filter_x: { Image: "c" } };
    expect(sysmonBranch({ ...detection, condition: "1 of selection_* and not all of filter_*" })).toEqual({
      op: "and",
      args: [{ op: "or", args: [eq("Image", "a"), eq("Image", "b")] }, { op: "not", arg: eq("Image", "c") }],
    });
    expect(sysmonBranch({ ...detection, condition: "all of them" })).toEqual({ op: "and", args: [eq("Image", "a"), eq("Image", "b"), eq("Image", "c")] });
  });
});

describe("rules outside the subset fail at load, naming the rule and the construct", () => {
  const cases: [string, Record<string, unknown>, Record<string, unknown>, RegExp][] = [
    ["an unsupported modifier", { sel: { "CommandLine|base64offset|contains": "x" }, condition: "sel" }, {}, /Test Rule.*field modifier 'base64offset'/],
    ["a keyword search", { keywords: ["evil"], condition: "keywords" }, {}, /'keywords' holds keywords/],
    ["an aggregation", { sel: { Image: "a" }, condition: "sel | count() > 3" }, {}, /aggregation/],
    ["an unknown identifier", { sel: { Image: "a" }, condition: "sel and other" }, {}, /names 'other', which the detection does not define/],
    ["a quantifier matching nothing", { sel: { Image: "a" }, condition: "1 of filter_*" }, {}, /'1 of filter_\*' matches no search identifier/],
    ["a timeframe", { sel: { Image: "a" }, condition: "sel", timeframe: "5m" }, {}, /'timeframe' is not supported/],
    ["an unmapped logsource", { sel: { Image: "a" }, condition: "sel" }, { logsource: { category: "dns_query", product: "windows" } }, /logsource .*dns_query.* has no mapping/],
    ["a bad regular expression", { sel: { "Image|re": "(" }, condition: "sel" }, {}, /is not a regular expression/],
  ];
  for (const [what, detection, extra, message] of cases) {
    it(what, () => {
      expect(() => compileSigmaRule(rule(detection, extra), "rules/x/test.yml")).toThrow(message);
      expect(() => compileSigmaRule(rule(detection, extra), "rules/x/test.yml")).toThrow(/Sigma rule rules\/x\/test\.yml/);
    });
  }
});

describe("the SQL of a predicate", () => {
  it("sends every value as a parameter and keeps comparisons on absent fields false", () => {
    const statement = sigmaPredicateSql({ op: "not", arg: like("CommandLine", "%'; DROP TABLE events; --%") });
    expect(statement.text).not.toContain("DROP");
    expect(statement.text).toBe("(NOT coalesce(lower((e.data ->> $1::text)) LIKE lower($2::text), false))");
    expect(statement.values).toEqual(["CommandLine", "%'; DROP TABLE events; --%"]);
  });
});

describe("the SigmaHQ IIS rules in the catalogue", () => {
  const sigma = DETECTION_SPECS.filter((s) => s.content.origin === "Sigma");

  it("are the seven published rules, byte for byte", () => {
    expect(sigma.map((s) => [s.name, s.type, s.rba.riskObjects[0].score, s.sigma!.level])).toEqual([
      ["New Module Module Added To IIS Server", "Anomaly", 50, "medium"],
      ["Previously Installed IIS Module Was Removed", "Anomaly", 25, "low"],
      ["HTTP Logging Disabled On IIS Server", "TTP", 75, "high"],
      ["ETW Logging/Processing Option Disabled On IIS Server", "Anomaly", 50, "medium"],
      ["IIS Native-Code Module Command Line Installation", "Anomaly", 50, "medium"],
      ["Suspicious IIS Module Registration", "TTP", 75, "high"],
      ["Disable Windows IIS HTTP Logging", "TTP", 75, "high"],
    ]);
    for (const spec of sigma) {
      const relative = spec.content.detectionFile.replace(/^lib\/detections\/content\/sigma\//, "");
      expect(fs.readFileSync(path.join(REPO, spec.content.detectionFile), "utf8")).toBe(fs.readFileSync(path.join(SAMPLES_DIR, "SigmaHQ+sigma@8eaafff1", relative), "utf8"));
      const published = parseYaml(fs.readFileSync(path.join(REPO, spec.content.detectionFile), "utf8"));
      expect(spec).toMatchObject({ id: published.id, name: published.title, author: published.author, description: published.description });
      expect(spec.tags.mitreAttackId).toEqual(sigmaTechniques(published.tags));
      expect(spec.sigma!.ruleUrl).toBe(`https://github.com/SigmaHQ/sigma/blob/8eaafff1f2845a696050e05e72ba1140ee190698/${relative}`);
      // DRL 1.1: every risk event's message names the rule's authors.
      expect(spec.rba.message).toContain(`by ${published.author}, DRL 1.1`);
      expect(spec.provenance).toContain("Detection Rule License 1.1");
    }
  });

  it("map a Sigma level to a score whose severity is that level", () => {
    for (const [level, score] of Object.entries(SIGMA_LEVEL_SCORES)) expect(severityForScore(score)).toBe(level);
  });

  it("group results by dest and the fields the rule reads", () => {
    const by = Object.fromEntries(sigma.map((s) => [s.name, s.structuredSearch.stats.by]));
    expect(by["New Module Module Added To IIS Server"]).toEqual(["dest", "Configuration", "NewValue"]);
    expect(by["ETW Logging/Processing Option Disabled On IIS Server"]).toEqual(["dest", "Configuration", "OldValue", "NewValue"]);
    expect(by["IIS Native-Code Module Command Line Installation"]).toEqual(["dest", "Image", "OriginalFileName", "CommandLine", "ParentImage"]);
  });
});
