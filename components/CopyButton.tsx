"use client";
// Copies a value (an API token shown once) to the clipboard, and says whether it worked.
import { useState } from "react";

export function CopyButton({ value, label = "Copy" }: { value: string; label?: string }) {
  const [copied, setCopied] = useState<"yes" | "no" | null>(null);
  return (
    <button
      type="button"
      onClick={() =>
        navigator.clipboard.writeText(value).then(
          () => setCopied("yes"),
          () => setCopied("no"),
        )
      }
    >
      {copied === "yes" ? "Copied" : copied === "no" ? "Copy failed: select the text" : label}
    </button>
  );
}
