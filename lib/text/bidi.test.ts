import { describe, expect, it } from "vitest";
import { hasBidiControls, visibleBidi } from "./bidi";

describe("visibleBidi", () => {
  it("shows every bidi control as a marker and leaves other text alone", () => {
    expect(visibleBidi("evil\u202Egpj.exe")).toBe("evil⟨U+202E⟩gpj.exe");
    const all = "\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069\u200E\u200F\u061C";
    expect(visibleBidi(all)).toBe("⟨U+202A⟩⟨U+202B⟩⟨U+202C⟩⟨U+202D⟩⟨U+202E⟩⟨U+2066⟩⟨U+2067⟩⟨U+2068⟩⟨U+2069⟩⟨U+200E⟩⟨U+200F⟩⟨U+061C⟩");
    expect(hasBidiControls(visibleBidi(all))).toBe(false);
    // Right-to-left letters are text, not controls: Arabic and Hebrew host names stay as they are.
    expect(visibleBidi("خادم-web01 שרת")).toBe("خادم-web01 שרת");
    expect(visibleBidi("C:\\Windows\\System32\\inetsrv\\x.dll")).toBe("C:\\Windows\\System32\\inetsrv\\x.dll");
  });
  it("is safe to call twice (the global regex keeps no state between calls)", () => {
    expect(hasBidiControls("a\u202Eb")).toBe(true);
    expect(hasBidiControls("a\u202Eb")).toBe(true);
    expect(hasBidiControls("ab")).toBe(false);
  });
});
