"use client";
// A host's activity: events per bucket stacked by event code, detection results and risk events as markers,
// and the cumulative risk as a line (right axis).
import { Bar, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Scatter, Tooltip, XAxis, YAxis } from "recharts";
import { formatTime, useTimeZone, zoneName } from "../time/TimeZone";

export interface TimelinePoint {
  t: string;
  codes: Record<string, number>;
  results: number;
  risk: number;
  cumulativeRisk: number;
}

const PALETTE = ["#4ea1ff", "#8c9aa8", "#3ecf8e", "#b48ef7", "#f59ec2", "#5fd3d3", "#c9a96e", "#7f8fa6"];
// The detections' events stand out, in colours of their own: red is risk's.
const HIGHLIGHT: Record<string, string> = { "29": "#f5b942", "2282": "#e879f9" };

type Datum = Record<string, number | string | null> & { t: string; bucketRisk: number; resultsIn: number; cumulativeRisk: number };

/** The bucket as an analyst reads it: its events by code (those it has), its results, the risk it raised, the running total. */
function BucketTooltip({ active, payload, label, codes, format }: { active?: boolean; payload?: { payload: Datum }[]; label?: string | number; codes: string[]; format: (t: string) => string }) {
  if (!active || !payload?.length) return null;
  const d = payload[0].payload;
  const events = codes.filter((c) => Number(d[`e${c}`]) > 0);
  return (
    <div className="chart-tooltip">
      <div className="mono">{format(String(label))}</div>
      {events.map((c) => (
        <div key={c}>
          Event {c}: {Number(d[`e${c}`]).toLocaleString("en")}
        </div>
      ))}
      {events.length === 0 && <div className="muted">no events</div>}
      {d.resultsIn > 0 && <div>Detection results: {d.resultsIn}</div>}
      {d.bucketRisk > 0 && <div className="error">Risk raised: {d.bucketRisk}</div>}
      <div className="muted">Cumulative risk: {d.cumulativeRisk}</div>
    </div>
  );
}

export function HostTimeline({ points, codes, bucket }: { points: TimelinePoint[]; codes: string[]; bucket: "hour" | "day" }) {
  const zone = useTimeZone();
  const data = points.map((p) => ({
    ...Object.fromEntries(codes.map((c) => [`e${c}`, p.codes[c] ?? 0])),
    t: p.t,
    results: p.results > 0 ? p.results : null,
    risk: p.risk > 0 ? p.cumulativeRisk : null,
    cumulativeRisk: p.cumulativeRisk,
    bucketRisk: p.risk,
    resultsIn: p.results,
  }));
  // Buckets are UTC hours or UTC days: hours can be labelled in local time, days only in UTC (a UTC day is no local
  // date west or east of Greenwich). The caption says which.
  const labelZone = bucket === "hour" ? zone : "utc";
  const label = (t: string) => formatTime(t, labelZone).slice(0, bucket === "hour" ? 16 : 10);
  let other = 0;
  return (
    <figure aria-label={`Timeline: events per ${bucket} by event code, detection results, risk`} style={{ margin: 0 }}>
      <ResponsiveContainer width="100%" height={300}>
        <ComposedChart data={data} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
          <CartesianGrid stroke="#2b3642" strokeDasharray="3 3" />
          <XAxis dataKey="t" tickFormatter={label} stroke="#8c9aa8" minTickGap={40} />
          <YAxis yAxisId="events" stroke="#8c9aa8" allowDecimals={false} label={{ value: `events / ${bucket}`, angle: -90, position: "insideLeft", fill: "#8c9aa8" }} />
          <YAxis yAxisId="risk" orientation="right" stroke="#ff6b6b" allowDecimals={false} label={{ value: "cumulative risk", angle: 90, position: "insideRight", fill: "#ff6b6b" }} />
          <Tooltip content={<BucketTooltip codes={codes} format={label} />} />
          <Legend />
          {codes.map((c) => (
            <Bar key={c} yAxisId="events" dataKey={`e${c}`} name={`Event ${c}`} stackId="events" fill={HIGHLIGHT[c] ?? PALETTE[other++ % PALETTE.length]} isAnimationActive={false} />
          ))}
          <Scatter yAxisId="events" dataKey="results" name="Detection results" fill="#ffffff" shape="triangle" isAnimationActive={false} />
          <Scatter yAxisId="risk" dataKey="risk" name="Risk events" fill="#ff6b6b" shape="diamond" isAnimationActive={false} />
          <Line yAxisId="risk" dataKey="cumulativeRisk" name="Cumulative risk" stroke="#ff6b6b" dot={false} type="stepAfter" isAnimationActive={false} />
        </ComposedChart>
      </ResponsiveContainer>
      <figcaption className="muted">
        {bucket === "hour" ? "Hours" : "Days"} in {zoneName(labelZone)}
      </figcaption>
    </figure>
  );
}
