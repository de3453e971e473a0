import { describe, expect, it } from "vitest";
import { csvCell, csvRow, neutraliseFormula } from "./csv";

describe("audit CSV", () => {
  it("neutralises cells a spreadsheet would run as formulas", () => {
    for (const evil of ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "  =cmd|' /C calc'!A0"]) {
      expect(neutraliseFormula(evil)).toBe(`'${evil}`);
    }
    for (const fine of ["web01", "auth.login", "2026-01-01T00:00:00.000Z", "a=b", "", "x-y"]) {
      expect(neutraliseFormula(fine)).toBe(fine);
    }
  });
  it("quotes every cell and doubles quotes", () => {
    expect(csvCell('say "hi", then\nleave')).toBe('"say ""hi"", then\nleave"');
    expect(csvCell(null)).toBe('""');
    expect(csvCell(12n)).toBe('"12"');
    expect(csvCell({ a: "=1" })).toBe('"{""a"":""=1""}"');
    expect(csvRow(["=1", "b"])).toBe(`"'=1","b"\r\n`);
  });
});
