// Tickets over the generated client, and their query keys (realtime hints invalidate "tickets").
import { api, ok } from "../../api/client";
import type { components } from "../../api/schema";

export type Ticket = components["schemas"]["TicketOut"];
export type TicketDetail = components["schemas"]["TicketDetail"];
export type TicketMessage = TicketDetail["messages"][number];

export interface TicketFilters {
  status?: string;
  assignee?: string;
  q?: string;
}

export const ticketKeys = {
  all: ["tickets"] as const,
  list: (filters: TicketFilters) => ["tickets", "list", filters] as const,
  detail: (id: string) => ["tickets", "detail", id] as const,
};

export const tickets = {
  list: (filters: TicketFilters & { cursor?: string; limit?: number }) =>
    ok(api.GET("/api/v1/tickets", { params: { query: filters } })),
  get: (id: string) => ok(api.GET("/api/v1/tickets/{ticket_id}", { params: { path: { ticket_id: id } } })),
  reply: (id: string, text: string, clientId: string) =>
    ok(
      api.POST("/api/v1/tickets/{ticket_id}/replies", {
        params: { path: { ticket_id: id } },
        body: { text, client_id: clientId },
      }),
    ),
  convert: (conversationId: string, email?: string) =>
    ok(api.POST("/api/v1/tickets/convert", { body: { conversation_id: conversationId, email: email ?? null } })),
  resolve: (id: string) => ok(api.POST("/api/v1/tickets/{ticket_id}/resolve", { params: { path: { ticket_id: id } } })),
  reopen: (id: string) => ok(api.POST("/api/v1/tickets/{ticket_id}/reopen", { params: { path: { ticket_id: id } } })),
  assign: (id: string, agentId: string | null) =>
    ok(
      api.POST("/api/v1/tickets/{ticket_id}/assign", {
        params: { path: { ticket_id: id } },
        body: { agent_id: agentId },
      }),
    ),
};
