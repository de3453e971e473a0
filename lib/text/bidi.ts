// Attacker text (host names, module paths, messages, event data: anything read from an uploaded log) may carry
// Unicode bidirectional controls. Rendered as they are, they reorder what follows them: a host named
// "evil\u202Egpj.exe" shows as "evilexe.jpg". Wherever such text is shown it is isolated (<bdi>, CSS
// unicode-bidi: isolate: it cannot reorder its surroundings) and each control is replaced by a visible marker
// (so it cannot reorder the text itself, and the reader sees it is there). The stored value is never changed.

/** The explicit bidi formatting characters (UAX #9): embeddings, overrides, isolates, marks. */
export const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

const marker = (c: string) => `⟨U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}⟩`;

/** The text with each bidi control shown as a marker such as ⟨U+202E⟩ (text without any is returned as it is). */
export function visibleBidi(text: string): string {
  return text.replace(BIDI_CONTROLS, marker);
}

/** Whether the text holds any bidi control. */
export function hasBidiControls(text: string): boolean {
  return new RegExp(BIDI_CONTROLS.source).test(text);
}
