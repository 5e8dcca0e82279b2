import type { components } from "../../api/schema";
import { api, ok } from "../../api/client";

type S = components["schemas"];
export type BusinessHours = S["BusinessHoursOut"];
export type BusinessHoursIn = S["BusinessHoursIn"];
export type Interval = S["IntervalIn"];
export type Weekly = S["WeeklyIn"];

export const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
export type Day = (typeof DAYS)[number];
export const DAY_NAMES: Record<Day, string> = {
  mon: "Monday",
  tue: "Tuesday",
  wed: "Wednesday",
  thu: "Thursday",
  fri: "Friday",
  sat: "Saturday",
  sun: "Sunday",
};

export const businessHours = {
  get: () => ok(api.GET("/api/v1/business-hours")),
  put: (body: BusinessHoursIn) => ok(api.PUT("/api/v1/business-hours", { body })),
};

const minutes = (clock: string) => {
  const [h, m] = clock.split(":").map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
};

/** The same checks the server makes, shown inline before saving. */
export function dayError(intervals: Interval[]): string | null {
  const spans = intervals.map((i) => [minutes(i.start), minutes(i.end)] as const).sort((a, b) => a[0] - b[0]);
  for (const [start, end] of spans) if (end <= start) return "An interval must end after it starts.";
  for (let i = 1; i < spans.length; i++) if (spans[i]![0] < spans[i - 1]![1]) return "Intervals overlap.";
  return null;
}
