// Tool integrations over the generated client (GET/POST/PATCH/DELETE
// /api/v1/tools/integrations, one integration, its recent errors, a trial call) and the
// registry (GET /api/v1/tools), with their query keys.
import { api, ok } from "../../api/client";
import type { components } from "../../api/schema";

type S = components["schemas"];
export type Integration = S["IntegrationOut"];
export type IntegrationIn = S["IntegrationIn"];
export type IntegrationPatch = S["IntegrationPatch"];
export type DeclaredTool = S["DeclaredTool"];
export type IntegrationError = S["IntegrationErrorOut"];
export type TrialResult = S["IntegrationTestOut"];
export type RegistryTool = S["ToolOut"];

export const toolKeys = {
  integrations: ["tools", "integrations"] as const,
  registry: ["tools", "registry"] as const,
  errors: (id: string) => ["tools", "errors", id] as const,
};

const byId = (id: string) => ({ params: { path: { integration_id: id } } });

export const tools = {
  registry: () => ok(api.GET("/api/v1/tools")),
  list: () => ok(api.GET("/api/v1/tools/integrations")),
  create: (body: IntegrationIn) => ok(api.POST("/api/v1/tools/integrations", { body })),
  update: ({ id, body }: { id: string; body: IntegrationPatch }) =>
    ok(api.PATCH("/api/v1/tools/integrations/{integration_id}", { ...byId(id), body })),
  remove: (id: string) => ok(api.DELETE("/api/v1/tools/integrations/{integration_id}", byId(id))),
  errors: (id: string) => ok(api.GET("/api/v1/tools/integrations/{integration_id}/errors", byId(id))),
  test: ({ id, tool, args }: { id: string; tool: string; args: Record<string, unknown> }) =>
    ok(api.POST("/api/v1/tools/integrations/{integration_id}/test", { ...byId(id), body: { tool, arguments: args } })),
};

/** The name rule of the registry (apps/api/baton/tools/registry.py NAME). */
export const TOOL_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

/** Why a secret would be refused, or null (the server's rule: 16-200 printable, no spaces). */
export function secretProblem(secret: string): string | null {
  if (!secret) return null;
  if (secret.length < 16 || secret.length > 200) return "Use 16 to 200 characters.";
  if (/\s/.test(secret)) return "No spaces.";
  return null;
}

/** Parses a tool's argument schema as typed in the form: an object schema, or why not. */
export function parseParameters(text: string): { value: Record<string, unknown> | null; error: string | null } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { value: null, error: "Not valid JSON." };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return { value: null, error: "The schema must be a JSON object." };
  if ((value as { type?: unknown }).type !== "object") return { value: null, error: 'The schema needs "type": "object".' };
  return { value: value as Record<string, unknown>, error: null };
}
