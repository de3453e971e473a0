// The "as of" control of the time-window views: when their windows end and why, with one click back to now or to
// the latest data, or a time of one's own. Shared by overview, hosts, risk and the drilldown (lib/views/as-of.ts).
import type { ReferenceTime } from "@/lib/views/reference";
import { Time } from "./time/TimeZone";

/** The page's path and query, for the control to come back to. */
export function backTo(path: string, query: Record<string, string | string[] | undefined>): string {
  const q = new URLSearchParams(Object.entries(query).flatMap(([k, v]) => (typeof v === "string" && k !== "at" ? [[k, v]] : [])));
  return q.size ? `${path}?${q}` : path;
}

export function AsOf({
  reference,
  back,
  window,
  action,
}: {
  reference: ReferenceTime & { choice: string };
  back: string;
  window: string;
  /** The server action keeping the choice (app/as-of-actions.ts), passed in by the page: components do not import app/. */
  action: (form: FormData) => Promise<void>;
}) {
  return (
    <form action={action} className={`filters as-of${reference.historical ? " callout" : ""}`} aria-label="As of">
      <input type="hidden" name="back" value={back} />
      <span data-testid="as-of">
        {window} ending <Time iso={reference.at.toISOString()} /> — {reference.historical ? "the latest data: there is none in the window ending now" : reference.explanation}
      </span>
      {reference.explanation !== "now" && (
        <button type="submit" name="asOf" value="now">
          Back to now
        </button>
      )}
      {reference.choice !== "auto" && (
        <button type="submit" name="asOf" value="auto">
          Automatic (now, or the latest data when nothing is recent)
        </button>
      )}
      <label>
        As of (UTC)
        <input type="datetime-local" name="at" defaultValue={reference.at.toISOString().slice(0, 16)} />
      </label>
      <button type="submit" name="asOf" value="time">
        Set
      </button>
    </form>
  );
}
