// Typed calls for the console pages, through the one generated client (npm run gen:api).
import type { components } from "./schema";
import { api, ApiError, ok } from "./client";
import { readEvents } from "../lib/sse";

type S = components["schemas"];
export type User = S["UserOut"];
export type UserCreate = S["UserCreate"];
export type UserPatch = S["UserPatch"];
export type ApiKey = S["ApiKeyOut"];
export type ApiKeyCreated = S["ApiKeyCreated"];
export type Provider = S["ProviderOut"];
export type ProviderIn = S["ProviderIn"];
export type ProviderPatch = S["ProviderPatch"];
export type Fleet = S["FleetOut"];
export type CheckResult = S["CheckOut"];
export type AISettings = S["AISettings"];
export type Rule = S["RuleOut"];
export type RuleIn = S["RuleIn"];
export type ReplyLog = S["ReplyLogOut"];
export type LogSummary = S["LogSummary"];
export type Article = S["ArticleOut"];
export type ArticleIn = S["ArticleIn"];
export type SearchHit = S["SearchHit"];
export type Workspace = S["WorkspaceConfig"];
export type WorkspacePatch = S["WorkspacePatch"];
export type WidgetSettings = S["WidgetSettingsOut"];
export type WidgetSettingsPatch = S["WidgetSettingsPatch"];
export type Transition = S["TransitionOut"];
export type Role = S["RoleOut"];
export type RoleIn = S["RoleIn"];
export type RolePatch = S["RolePatch"];
export type AuditEntry = S["AuditEntryOut"];
export type AuditQuery = { action?: string; actor_id?: string; target_type?: string; target_id?: string };

const path = <K extends string, V>(key: K, value: V) => ({ params: { path: { [key]: value } as Record<K, V> } });

export const users = {
  list: () => ok(api.GET("/api/v1/users")),
  create: (body: UserCreate) => ok(api.POST("/api/v1/users", { body })),
  update: (id: string, body: UserPatch) => ok(api.PATCH("/api/v1/users/{user_id}", { ...path("user_id", id), body })),
  remove: (id: string) => ok(api.DELETE("/api/v1/users/{user_id}", path("user_id", id))),
};

export const apiKeys = {
  list: () => ok(api.GET("/api/v1/api-keys")),
  create: (body: S["ApiKeyIn"]) => ok(api.POST("/api/v1/api-keys", { body })),
  revoke: (id: string) => ok(api.DELETE("/api/v1/api-keys/{key_id}", path("key_id", id))),
};

export const providers = {
  list: () => ok(api.GET("/api/v1/ai/providers")),
  fleet: () => ok(api.GET("/api/v1/ai/fleet")),
  create: (body: ProviderIn) => ok(api.POST("/api/v1/ai/providers", { body })),
  update: (id: string, body: ProviderPatch) =>
    ok(api.PATCH("/api/v1/ai/providers/{provider_id}", { ...path("provider_id", id), body })),
  remove: (id: string) => ok(api.DELETE("/api/v1/ai/providers/{provider_id}", path("provider_id", id))),
  check: (id: string) => ok(api.POST("/api/v1/ai/providers/{provider_id}/check", path("provider_id", id))),
  /** The "Test" button: a sample answer, each piece to ``onDelta`` as the provider writes it. */
  sample: async (id: string, onDelta: (text: string) => void): Promise<CheckResult> => {
    const stream = await ok(
      api.POST("/api/v1/ai/providers/{provider_id}/sample", { ...path("provider_id", id), parseAs: "stream" }),
    );
    if (!stream) throw new ApiError(0, "no_stream", "The server sent no answer.");
    for await (const e of readEvents(stream)) {
      const body: unknown = JSON.parse(e.data);
      if (e.event === "delta") onDelta((body as { text: string }).text);
      else if (e.event === "done") return body as CheckResult;
      else if (e.event === "error") {
        const { error, detail } = body as { error: string; detail?: unknown };
        throw new ApiError(200, error, detail);
      }
    }
    throw new ApiError(0, "stream_ended", "The test ended before the provider finished.");
  },
};

export const aiSettings = {
  get: () => ok(api.GET("/api/v1/ai/settings")),
  update: (body: S["AISettingsPatch"]) => ok(api.PATCH("/api/v1/ai/settings", { body })),
};

export const rules = {
  list: () => ok(api.GET("/api/v1/ai/auto-replies")),
  create: (body: RuleIn) => ok(api.POST("/api/v1/ai/auto-replies", { body })),
  update: (id: string, body: S["RulePatch"]) =>
    ok(api.PATCH("/api/v1/ai/auto-replies/{rule_id}", { ...path("rule_id", id), body })),
  remove: (id: string) => ok(api.DELETE("/api/v1/ai/auto-replies/{rule_id}", path("rule_id", id))),
  test: (text: string) => ok(api.POST("/api/v1/ai/auto-replies/test", { body: { text } })),
};

export const logs = {
  list: (query: { outcome?: string; response_type?: string; verdict?: string; cursor?: string; limit?: number }) =>
    ok(api.GET("/api/v1/ai/logs", { params: { query } })),
  summary: (since?: string) => ok(api.GET("/api/v1/ai/logs/summary", { params: { query: since ? { since } : {} } })),
  verdict: (id: string, body: S["VerdictIn"]) =>
    ok(api.POST("/api/v1/ai/logs/{log_id}/verdict", { ...path("log_id", id), body })),
};

export const knowledge = {
  list: (cursor?: string) => ok(api.GET("/api/v1/knowledge/articles", { params: { query: { cursor, limit: 50 } } })),
  create: (body: ArticleIn) => ok(api.POST("/api/v1/knowledge/articles", { body })),
  update: (id: string, body: S["ArticlePatch"]) =>
    ok(api.PATCH("/api/v1/knowledge/articles/{article_id}", { ...path("article_id", id), body })),
  remove: (id: string) => ok(api.DELETE("/api/v1/knowledge/articles/{article_id}", path("article_id", id))),
  search: (q: string) => ok(api.GET("/api/v1/knowledge/search", { params: { query: { q, limit: 5 } } })),
};

export const workspace = {
  get: () => ok(api.GET("/api/v1/settings")),
  update: (body: WorkspacePatch) => ok(api.PATCH("/api/v1/settings", { body })),
};

export const widget = {
  get: () => ok(api.GET("/api/v1/widget/settings")),
  update: (body: WidgetSettingsPatch) => ok(api.PATCH("/api/v1/widget/settings", { body })),
  snippet: () => ok(api.GET("/api/v1/widget/snippet")),
};

export const conversationEvents = (id: string) =>
  ok(api.GET("/api/v1/conversations/{conversation_id}/events", path("conversation_id", id)));

export const roles = {
  list: () => ok(api.GET("/api/v1/roles")),
  create: (body: RoleIn) => ok(api.POST("/api/v1/roles", { body })),
  update: (name: string, body: RolePatch) => ok(api.PATCH("/api/v1/roles/{name}", { ...path("name", name), body })),
  remove: (name: string) => ok(api.DELETE("/api/v1/roles/{name}", path("name", name))),
};

export const audit = {
  list: (query: AuditQuery & { cursor?: string; limit?: number }) => ok(api.GET("/api/v1/audit", { params: { query } })),
};
