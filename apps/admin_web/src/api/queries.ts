// The query layer: TanStack Query over the generated openapi-fetch client. Query keys live here
// so that realtime hints (events are hints, REST is truth) can invalidate exactly what changed.
import { QueryClient } from "@tanstack/react-query";
import { ApiError } from "./client";

export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 30_000,
      refetchOnWindowFocus: false,
      // a 4xx will not get better by asking again
      retry: (count, error) => !(error instanceof ApiError && error.status >= 400 && error.status < 500) && count < 2,
    },
  },
});

export type LogFilters = { outcome?: string; response_type?: string; verdict?: string };

export const keys = {
  me: ["me"] as const,
  users: ["users"] as const,
  apiKeys: ["api-keys"] as const,
  providers: ["ai", "providers"] as const,
  fleet: ["ai", "fleet"] as const,
  aiSettings: ["ai", "settings"] as const,
  rules: ["ai", "auto-replies"] as const,
  logs: (filters: LogFilters) => ["ai", "logs", "list", filters] as const,
  logSummary: ["ai", "logs", "summary"] as const,
  articles: ["knowledge", "articles"] as const,
  knowledgeSearch: (q: string) => ["knowledge", "search", q] as const,
  workspace: ["settings", "workspace"] as const,
  widget: ["settings", "widget"] as const,
  snippet: ["settings", "snippet"] as const,
  counts: ["conversations", "counts"] as const,
  conversationList: (tab: string, q: string, meId: string) => ["conversations", "list", tab, q, meId] as const,
  roles: ["roles"] as const,
  audit: (filters: Record<string, string>) => ["audit", filters] as const,
  events: (conversationId: string) => ["conversations", conversationId, "events"] as const,
  visitorConversations: (visitorId: string) => ["conversations", "visitor", visitorId] as const,
};
