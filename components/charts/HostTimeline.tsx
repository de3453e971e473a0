"use client";
// A host's activity: events per bucket stacked by event code, detection results and risk events as markers,
// and the cumulative risk as a line (right axis).
import { Bar, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Scatter, Tooltip, XAxis, YAxis } from "recharts";
import { formatTime, useTimeZone } from "../time/TimeZone";

export interface TimelinePoint {
  t: string;
  codes: Record<string, number>;
  results: number;
  risk: number;
  cumulativeRisk: number;
}

const PALETTE = ["#4ea1ff", "#8c9aa8", "#3ecf8e", "#b48ef7", "#f59ec2", "#5fd3d3", "#c9a96e", "#7f8fa6"];
const HIGHLIGHT: Record<string, string> = { "29": "#f5b942", "2282": "#ff6b6b" };

export function HostTimeline({ points, codes, bucket }: { points: TimelinePoint[]; codes: string[]; bucket: "hour" | "day" }) {
  const zone = useTimeZone();
  const data = points.map((p) => ({
    ...Object.fromEntries(codes.map((c) => [`e${c}`, p.codes[c] ?? 0])),
    t: p.t,
    results: p.results > 0 ? p.results : null,
    risk: p.risk > 0 ? p.cumulativeRisk : null,
    cumulativeRisk: p.cumulativeRisk,
  }));
  const label = (t: string) => formatTime(t, zone).slice(0, bucket === "hour" ? 16 : 10);
  let other = 0;
  return (
    <figure aria-label={`Timeline: events per ${bucket} by event code, detection results, risk`} style={{ margin: 0 }}>
      <ResponsiveContainer width="100%" height={300}>
        <ComposedChart data={data} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
          <CartesianGrid stroke="#2b3642" strokeDasharray="3 3" />
          <XAxis dataKey="t" tickFormatter={label} stroke="#8c9aa8" minTickGap={40} />
          <YAxis yAxisId="events" stroke="#8c9aa8" allowDecimals={false} label={{ value: `events / ${bucket}`, angle: -90, position: "insideLeft", fill: "#8c9aa8" }} />
          <YAxis yAxisId="risk" orientation="right" stroke="#ff6b6b" allowDecimals={false} label={{ value: "cumulative risk", angle: 90, position: "insideRight", fill: "#ff6b6b" }} />
          <Tooltip labelFormatter={(t) => label(String(t))} contentStyle={{ background: "#171e26", border: "1px solid #2b3642" }} />
          <Legend />
          {codes.map((c) => (
            <Bar key={c} yAxisId="events" dataKey={`e${c}`} name={`Event ${c}`} stackId="events" fill={HIGHLIGHT[c] ?? PALETTE[other++ % PALETTE.length]} isAnimationActive={false} />
          ))}
          <Scatter yAxisId="events" dataKey="results" name="Detection results" fill="#ffffff" shape="triangle" isAnimationActive={false} />
          <Scatter yAxisId="risk" dataKey="risk" name="Risk events" fill="#ff6b6b" shape="diamond" isAnimationActive={false} />
          <Line yAxisId="risk" dataKey="cumulativeRisk" name="Cumulative risk" stroke="#ff6b6b" dot={false} type="stepAfter" isAnimationActive={false} />
        </ComposedChart>
      </ResponsiveContainer>
    </figure>
  );
}
