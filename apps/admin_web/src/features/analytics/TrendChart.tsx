// The traffic trend: one line for the range and a dashed one for the previous period,
// drawn with uPlot (small, canvas) and sized to its container.
import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { formatDuration } from "./range";

export interface Series {
  at: string[];
  current: (number | null)[];
  previous: (number | null)[];
}

const HEIGHT = 260;

export function TrendChart({ series, label, tz, durations }: { series: Series; label: string; tz: string; durations: boolean }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const x = series.at.map((at) => Date.parse(at) / 1000);
    const value = (v: number | null) => (v === null ? "—" : durations ? formatDuration(v) : String(v));
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height: HEIGHT,
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), tz),
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
      axes: [
        { stroke: "#4b5563", grid: { stroke: "#e5e7eb" } },
        { stroke: "#4b5563", grid: { stroke: "#e5e7eb" }, size: durations ? 70 : 50, values: (_u, ticks) => ticks.map((t) => (durations ? formatDuration(t) : String(t))) },
      ],
      series: [
        {},
        { label, stroke: "#1d4ed8", width: 2, fill: "rgba(29, 78, 216, 0.08)", value: (_u, v) => value(v) },
        { label: "Previous period", stroke: "#9ca3af", width: 1.5, dash: [6, 4], value: (_u, v) => value(v) },
      ],
    };
    const chart = new uPlot(opts, [x, series.current, series.previous], el);
    const resize = new ResizeObserver(() => chart.setSize({ width: Math.max(200, el.clientWidth), height: HEIGHT }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      chart.destroy();
    };
  }, [series, label, tz, durations]);
  const total = series.current.reduce<number>((sum, v) => sum + (v ?? 0), 0);
  return (
    <figure className="trend-chart">
      <div ref={box} className="trend-canvas" role="img" aria-label={durations ? `${label} per bucket` : `${label}: ${total} over the range`} data-points={series.at.length} />
      <figcaption className="visually-hidden">{label}, with the previous period dashed</figcaption>
    </figure>
  );
}
