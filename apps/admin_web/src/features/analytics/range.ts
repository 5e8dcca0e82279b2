// Date ranges for the dashboard: presets and custom ranges of local dates (both included),
// the previous period of the same length, and how figures are shown.

export type Preset = "today" | "7d" | "30d" | "90d" | "custom";

export const PRESETS: { value: Preset; label: string }[] = [
  { value: "today", label: "Today" },
  { value: "7d", label: "Last 7 days" },
  { value: "30d", label: "Last 30 days" },
  { value: "90d", label: "Last 90 days" },
  { value: "custom", label: "Custom" },
];

const PRESET_DAYS: Record<Exclude<Preset, "custom">, number> = { today: 1, "7d": 7, "30d": 30, "90d": 90 };

/** YYYY-MM-DD arithmetic on calendar dates (no timezone: these are local dates). */
export function addDays(day: string, n: number): string {
  const [y, m, d] = day.split("-").map(Number);
  const t = new Date(Date.UTC(y!, m! - 1, d! + n));
  return t.toISOString().slice(0, 10);
}

export function daysBetween(from: string, to: string): number {
  const a = Date.parse(`${from}T00:00:00Z`);
  const b = Date.parse(`${to}T00:00:00Z`);
  return Math.round((b - a) / 86_400_000) + 1;
}

/** Today's date in a timezone. */
export function todayIn(tz: string, now: Date = new Date()): string {
  // en-CA formats as YYYY-MM-DD
  return new Intl.DateTimeFormat("en-CA", { timeZone: tz, year: "numeric", month: "2-digit", day: "2-digit" }).format(now);
}

export function presetRange(preset: Exclude<Preset, "custom">, today: string): { from: string; to: string } {
  return { from: addDays(today, -(PRESET_DAYS[preset] - 1)), to: today };
}

/** The same number of days just before the range. */
export function previousRange(from: string, to: string): { from: string; to: string } {
  const n = daysBetween(from, to);
  return { from: addDays(from, -n), to: addDays(from, -1) };
}

export function isValidDay(day: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(day) && !Number.isNaN(Date.parse(`${day}T00:00:00Z`)) && addDays(day, 0) === day;
}

/** A problem with a custom range, in words, or null. */
export function rangeProblem(from: string, to: string): string | null {
  if (!isValidDay(from) || !isValidDay(to)) return "Choose both dates.";
  if (from > to) return "The start date is after the end date.";
  if (daysBetween(from, to) > 1100) return "The range is limited to 1,100 days.";
  return null;
}

export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return "—";
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, "0")}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
  return `${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3600)}h`;
}

export function formatRate(rate: number | null | undefined): string {
  if (rate === null || rate === undefined) return "—";
  return `${(rate * 100).toFixed(1)}%`;
}

export interface Change {
  text: string;
  /** good | bad | flat, by whether a rise is good for this figure */
  tone: "good" | "bad" | "flat";
}

/** The change against the previous period: percent for counts and durations, points for rates. */
export function change(current: number | null | undefined, previous: number | null | undefined, kind: "count" | "rate" | "duration", higherIsBetter: boolean): Change | null {
  if (current === null || current === undefined || previous === null || previous === undefined) return null;
  const diff = current - previous;
  let text: string;
  if (kind === "rate") {
    const points = diff * 100;
    text = `${points >= 0 ? "+" : "−"}${Math.abs(points).toFixed(1)} pts`;
  } else if (previous === 0) {
    text = current === 0 ? "no change" : "new";
  } else {
    const pct = (diff / previous) * 100;
    text = `${pct >= 0 ? "+" : "−"}${Math.abs(pct).toFixed(0)}%`;
  }
  if (diff === 0) return { text: kind === "rate" ? "no change" : "no change", tone: "flat" };
  const rose = diff > 0;
  return { text, tone: rose === higherIsBetter ? "good" : "bad" };
}
