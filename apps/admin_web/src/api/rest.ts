// REST calls the inbox makes, through the generated client. The return types are the shapes of
// docs/realtime.md, so the compiler checks that the REST schema and the socket payloads agree.
import type { Conversation, Counts, Message, Page, Presence } from "../types";
import { api, ok } from "./client";

/** One status or several, comma-separated (e.g. "bot,waiting"). */
export type StatusFilter = string;

export interface ListQuery {
  status?: StatusFilter;
  assignee?: string;
  q?: string;
  visitor_id?: string;
  cursor?: string;
  limit?: number;
}

export async function login(email: string, password: string) {
  return ok(api.POST("/api/v1/auth/login", { body: { email, password } }));
}

export async function me() {
  return ok(api.GET("/api/v1/me"));
}

export async function setPresence(presence: Presence) {
  return ok(api.PATCH("/api/v1/me", { body: { presence } }));
}

export async function listConversations(query: ListQuery): Promise<Page<Conversation>> {
  return ok(api.GET("/api/v1/conversations", { params: { query } }));
}

export async function conversationCounts(): Promise<Counts> {
  return ok(api.GET("/api/v1/conversations/counts"));
}

export async function getConversation(id: string): Promise<Conversation> {
  return ok(api.GET("/api/v1/conversations/{conversation_id}", { params: { path: { conversation_id: id } } }));
}

export async function listMessages(
  id: string,
  query: { after?: string; cursor?: string; limit?: number },
): Promise<Page<Message>> {
  return ok(
    api.GET("/api/v1/conversations/{conversation_id}/messages", {
      params: { path: { conversation_id: id }, query },
    }),
  );
}

export async function assign(id: string, agentId: string): Promise<Conversation> {
  return ok(
    api.POST("/api/v1/conversations/{conversation_id}/assign", {
      params: { path: { conversation_id: id } },
      body: { agent_id: agentId },
    }),
  );
}

export async function listUsers() {
  return ok(api.GET("/api/v1/users"));
}
