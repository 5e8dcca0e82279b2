import { useEffect, useState } from "react";

/** The current time, re-rendering every `intervalMs` (for "waited 4m" and local clocks). */
export function useNow(intervalMs = 15_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), intervalMs);
    return () => window.clearInterval(timer);
  }, [intervalMs]);
  return now;
}

export function duration(fromIso: string | null | undefined, now: number): string {
  if (!fromIso) return "";
  const seconds = Math.max(0, Math.floor((now - Date.parse(fromIso)) / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h ${minutes % 60}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

export function longDuration(fromIso: string | null | undefined, now: number): string {
  const short = duration(fromIso, now);
  return short
    .replace(/(\d+)d/, (_, n: string) => `${n} day${n === "1" ? "" : "s"}`)
    .replace(/(\d+)h/, (_, n: string) => `${n} hour${n === "1" ? "" : "s"}`)
    .replace(/(\d+)m/, (_, n: string) => `${n} minute${n === "1" ? "" : "s"}`)
    .replace(/(\d+)s/, (_, n: string) => `${n} second${n === "1" ? "" : "s"}`);
}

export function clock(iso: string): string {
  const date = new Date(iso);
  const today = new Date();
  const sameDay = date.toDateString() === today.toDateString();
  return sameDay
    ? date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })
    : date.toLocaleString([], { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
}

/** The visitor's local time, when their browser told us their time zone. */
export function localTime(timezone: string | null | undefined, now: number): string | null {
  if (!timezone) return null;
  try {
    return new Intl.DateTimeFormat([], {
      timeZone: timezone,
      hour: "2-digit",
      minute: "2-digit",
      weekday: "short",
    }).format(new Date(now));
  } catch {
    return null;
  }
}
