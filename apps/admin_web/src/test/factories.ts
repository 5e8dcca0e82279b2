import type { Conversation } from "../types";

let n = 0;

/** A conversation as the server sends it, with the fields a test cares about overridden. */
export function conversation(over: Partial<Conversation> = {}): Conversation {
  n += 1;
  const at = new Date(Date.UTC(2026, 11, 1, 12, 0, n)).toISOString();
  return {
    id: `c${String(n).padStart(4, "0")}`,
    status: "bot",
    channel: "widget",
    assignee: null,
    created_at: at,
    updated_at: at,
    waiting_since: null,
    queue_position: null,
    resolved_at: null,
    handoff_reason: null,
    follow_up_email: null,
    priority: "normal",
    priority_reason: null,
    last_message: { sender: "visitor", text: "hello", created_at: at },
    visitor: { id: `v${n}`, name: null, email: null, locale: null, page_title: null, page_url: null, timezone: null },
    ...over,
  };
}
