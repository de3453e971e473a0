// Text from uploaded logs (host names, module paths, messages, event data), shown so that it cannot disguise
// itself: isolated from its surroundings (<bdi>) and with any bidi control visible as ⟨U+202E⟩ (lib/text/bidi.ts).
// A plain component (no hooks): server and client components both use it.
import { hasBidiControls, visibleBidi } from "@/lib/text/bidi";

export function SafeText({ text, className }: { text: string | number | null | undefined; className?: string }) {
  const value = text === null || text === undefined ? "" : String(text);
  const disguised = hasBidiControls(value);
  return (
    <bdi className={disguised ? `${className ?? ""} bidi-controls`.trim() : className} title={disguised ? "Contains bidirectional control characters, shown as ⟨U+…⟩" : undefined}>
      {disguised ? visibleBidi(value) : value}
    </bdi>
  );
}
