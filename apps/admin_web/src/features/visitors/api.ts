// Live visitors: the first paint over REST, then deltas on /agent (visitor_joined,
// visitor_updated, visitor_left) kept in one map.
import type { components } from "../../api/schema";
import { api, ok } from "../../api/client";

export type LiveVisitor = components["schemas"]["LiveVisitorOut"];

export const liveVisitors = () => ok(api.GET("/api/v1/visitors/live"));

export type SortKey = "started_at" | "page_url" | "name" | "pages_viewed";

/** Sorted newest visit first by default; text columns A to Z. */
export function sortVisitors(rows: LiveVisitor[], key: SortKey, filter: string): LiveVisitor[] {
  const needle = filter.trim().toLowerCase();
  const shown = needle
    ? rows.filter((v) => `${v.page_url ?? ""} ${v.page_title ?? ""}`.toLowerCase().includes(needle))
    : rows;
  const value = (v: LiveVisitor): string | number => {
    if (key === "pages_viewed") return -(v.pages_viewed ?? 0);
    if (key === "started_at") return -Date.parse(v.started_at ?? v.connected_at);
    return (key === "name" ? v.name ?? v.email ?? "~" : v.page_url ?? "~").toLowerCase();
  };
  return [...shown].sort((a, b) => {
    const x = value(a);
    const y = value(b);
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

/** "4 min" since the visit began. */
export function timeOnSite(startedAt: string | null | undefined, now: number): string {
  if (!startedAt) return "";
  const seconds = Math.max(0, Math.round((now - Date.parse(startedAt)) / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  return minutes < 60 ? `${minutes} min` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}
