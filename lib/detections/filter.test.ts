import { describe, expect, it } from "vitest";
import { filterMacroDefinition } from "./filter";
import { strftimeToPg } from "./search-sql";

describe("the _filter macro as SPL", () => {
  it("is ESCU's no-op without suppressions, and a NOT clause per suppression otherwise", () => {
    expect(filterMacroDefinition([])).toBe("search *");
    expect(filterMacroDefinition([{ dest: "web01", ModuleDll: 'c:\\a "b".dll' }])).toBe('search NOT (dest="web01" ModuleDll="c:\\\\a \\"b\\".dll")');
    expect(filterMacroDefinition([{ dest: "a" }, { Message: "x*" }])).toBe('search NOT ((dest="a") OR (Message="x*"))');
  });
});

describe("security_content_ctime", () => {
  it("converts Splunk's timeformat to a Postgres to_char pattern", () => {
    expect(strftimeToPg("%Y-%m-%dT%H:%M:%S")).toBe('YYYY-MM-DD"T"HH24:MI:SS');
    expect(() => strftimeToPg("%s")).toThrow();
  });
});
