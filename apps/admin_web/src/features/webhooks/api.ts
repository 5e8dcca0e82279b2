// Webhooks over the generated client (GET/POST/PATCH/DELETE /api/v1/webhooks, the delivery
// log, redeliver), and their query keys.
import { api, ok } from "../../api/client";
import type { components } from "../../api/schema";

type S = components["schemas"];
export type Webhook = S["WebhookOut"];
export type WebhookIn = S["WebhookIn"];
export type WebhookPatch = S["WebhookPatch"];
export type Delivery = S["DeliveryOut"];

/** What a webhook can subscribe to: apps/api/baton/webhooks/payloads.py EVENTS (a test keeps
 * the two equal), plus ``ticket.*`` for every ticket event. */
export const WEBHOOK_EVENTS = [
  "conversation.created",
  "conversation.status_changed",
  "csat.submitted",
  "handoff.requested",
  "message.created",
  "ticket.assigned",
  "ticket.created",
  "ticket.replied",
  "ticket.status_changed",
] as const;

export const webhookKeys = {
  all: ["webhooks", "list"] as const,
  deliveries: (id: string) => ["webhooks", "deliveries", id] as const,
};

const byId = (id: string) => ({ params: { path: { webhook_id: id } } });

export const webhooks = {
  list: () => ok(api.GET("/api/v1/webhooks")),
  create: (body: WebhookIn) => ok(api.POST("/api/v1/webhooks", { body })),
  update: ({ id, body }: { id: string; body: WebhookPatch }) => ok(api.PATCH("/api/v1/webhooks/{webhook_id}", { ...byId(id), body })),
  remove: (id: string) => ok(api.DELETE("/api/v1/webhooks/{webhook_id}", byId(id))),
  deliveries: (id: string, cursor?: string) =>
    ok(api.GET("/api/v1/webhooks/{webhook_id}/deliveries", { params: { path: { webhook_id: id }, query: cursor ? { cursor } : {} } })),
  redeliver: (deliveryId: string) =>
    ok(api.POST("/api/v1/webhooks/deliveries/{delivery_id}/redeliver", { params: { path: { delivery_id: deliveryId } } })),
};
