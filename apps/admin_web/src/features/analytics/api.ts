// Typed calls for the analytics dashboard and exports (docs/analytics.md).
import type { components } from "../../api/schema";
import { api, ok } from "../../api/client";

type S = components["schemas"];
export type Overview = S["Overview"];
export type Trend = S["Trend"];
export type AgentRow = S["AgentRow"];
export type ExportJob = S["ExportOut"];

export interface Filters {
  from: string; // local date, included
  to: string; // local date, included
  tz: string;
  channel?: string;
  agent_id?: string;
}

export const METRICS = ["conversations", "messages", "handoffs", "first_response_seconds_p50"] as const;
export type Metric = (typeof METRICS)[number];

function query(f: Filters) {
  return { from: f.from, to: f.to, tz: f.tz, channel: f.channel || undefined, agent_id: f.agent_id || undefined };
}

export const analytics = {
  overview: (f: Filters) => ok(api.GET("/api/v1/analytics/overview", { params: { query: query(f) } })),
  trends: (f: Filters, metric: Metric, interval: "hour" | "day") =>
    ok(api.GET("/api/v1/analytics/trends", { params: { query: { ...query(f), metric, interval } } })),
  agents: (f: Filters) => ok(api.GET("/api/v1/analytics/agents", { params: { query: query(f) } })),
};

export const EXPORT_KINDS = ["analytics", "conversations", "messages", "tickets"] as const;
export const EXPORT_FORMATS = ["csv", "json", "ndjson", "xlsx"] as const;

export const exportsApi = {
  start: (body: S["ExportIn"]) => ok(api.POST("/api/v1/exports", { body })),
  get: (id: string) => ok(api.GET("/api/v1/exports/{export_id}", { params: { path: { export_id: id } } })),
  list: () => ok(api.GET("/api/v1/exports", { params: { query: { limit: 10 } } })),
};

export const analyticsKeys = {
  overview: (f: Filters) => ["analytics", "overview", f] as const,
  trends: (f: Filters, metric: string, interval: string) => ["analytics", "trends", f, metric, interval] as const,
  agents: (f: Filters) => ["analytics", "agents", f] as const,
  exports: ["exports"] as const,
  export: (id: string) => ["exports", id] as const,
};
