"use client";
// The time range of a view, kept in the URL (?range=24h|7d|30d|all|custom&from=&to=) so the view is a link.
import { usePathname, useRouter, useSearchParams } from "next/navigation";

const PRESETS = [
  ["24h", "24 h"],
  ["7d", "7 days"],
  ["30d", "30 days"],
  ["all", "All"],
] as const;

const toInput = (iso: string) => iso.slice(0, 16);

export function RangePicker({ range, from, to }: { range: string; from: string; to: string }) {
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();

  const go = (change: Record<string, string | null>) => {
    const params = new URLSearchParams(searchParams.toString());
    for (const [k, v] of Object.entries(change)) {
      if (v === null) params.delete(k);
      else params.set(k, v);
    }
    params.delete("page");
    router.push(`${pathname}?${params.toString()}`, { scroll: false });
  };

  return (
    <div className="filters" role="group" aria-label="Time range">
      {PRESETS.map(([key, label]) => (
        <button key={key} type="button" aria-pressed={range === key} className={range === key ? "primary" : undefined} onClick={() => go({ range: key, from: null, to: null })}>
          {label}
        </button>
      ))}
      {/* Uncontrolled, and keyed by the range shown: a preset's new range fills the inputs again. */}
      <form
        key={`${from}/${to}`}
        className="filters"
        style={{ margin: 0 }}
        onSubmit={(e) => {
          e.preventDefault();
          const form = new FormData(e.currentTarget);
          go({ range: "custom", from: new Date(`${form.get("from")}Z`).toISOString(), to: new Date(`${form.get("to")}Z`).toISOString() });
        }}
      >
        <label>
          From (UTC)
          <input type="datetime-local" name="from" defaultValue={toInput(from)} required />
        </label>
        <label>
          To (UTC)
          <input type="datetime-local" name="to" defaultValue={toInput(to)} required />
        </label>
        <button type="submit" aria-pressed={range === "custom"} className={range === "custom" ? "primary" : undefined}>
          Custom range
        </button>
      </form>
    </div>
  );
}
