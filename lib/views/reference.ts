// The reference time a time-window view ends at: now, unless the data is historical (nothing in the window
// before now, but something earlier), then the latest data — and the view says which.
const HOUR = 3_600_000;

export interface ReferenceTime {
  at: Date;
  historical: boolean;
  explanation: string;
}

export function referenceTime(requested: string | string[] | undefined, latest: Date | null, windowHours: number, now = new Date()): ReferenceTime {
  if (typeof requested === "string" && requested !== "now") {
    const at = new Date(requested);
    if (!Number.isNaN(at.getTime())) return { at, historical: false, explanation: "the time you chose" };
  }
  if (requested === "now" || !latest || latest.getTime() > now.getTime() - windowHours * HOUR) {
    return { at: now, historical: false, explanation: "now" };
  }
  // Just after the latest risk event, so that event is inside a window ending here.
  return { at: new Date(latest.getTime() + 1000), historical: true, explanation: "just after the latest risk event: there is none in the window ending now" };
}
