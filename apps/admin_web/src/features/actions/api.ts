// Actions the AI proposed or ran in a conversation (docs/ai.md "Tool policy").
import { api, ok } from "../../api/client";
import type { ToolAction } from "../../types";

export const actionKeys = {
  conversation: (id: string) => ["actions", id] as const,
};

export const actions = {
  list: (conversationId: string) =>
    ok(
      api.GET("/api/v1/conversations/{conversation_id}/actions", {
        params: { path: { conversation_id: conversationId } },
      }),
    ),
  approve: (id: string): Promise<ToolAction> =>
    ok(api.POST("/api/v1/actions/{action_id}/approve", { params: { path: { action_id: id } } })),
  reject: (id: string): Promise<ToolAction> =>
    ok(api.POST("/api/v1/actions/{action_id}/reject", { params: { path: { action_id: id } } })),
};

/** Replace (or add) one action in a list kept in id order. */
export function mergeAction(list: ToolAction[], action: ToolAction): ToolAction[] {
  const i = list.findIndex((a) => a.id === action.id);
  if (i === -1) return [...list, action].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const next = list.slice();
  next[i] = action;
  return next;
}
