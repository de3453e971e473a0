"use client";
// Risk score per UTC day.
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

export function RiskByDay({ days, height = 220 }: { days: { day: string; score: number; events: number }[]; height?: number }) {
  return (
    <figure aria-label="Risk score per day" style={{ margin: 0 }}>
      <ResponsiveContainer width="100%" height={height}>
        <BarChart data={days} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
          <CartesianGrid stroke="#2b3642" strokeDasharray="3 3" />
          <XAxis dataKey="day" stroke="#8c9aa8" minTickGap={30} />
          <YAxis stroke="#8c9aa8" allowDecimals={false} />
          <Tooltip contentStyle={{ background: "#171e26", border: "1px solid #2b3642" }} formatter={(v, name) => [v, name === "score" ? "risk score" : String(name)]} />
          <Bar dataKey="score" name="score" fill="#ff6b6b" isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </figure>
  );
}
