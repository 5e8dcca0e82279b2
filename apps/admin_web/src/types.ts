// The shapes of docs/realtime.md. The events themselves are not in the OpenAPI schema, so
// they are typed here once; their payloads reuse the generated REST types.

import type { components } from "./api/schema";

type LiveVisitor = components["schemas"]["LiveVisitorOut"];

type Schemas = components["schemas"];

// REST and Socket.IO share these shapes (the server serialises the same structs for both), so
// they come from the generated schema: regenerate with `npm run gen:api`, never by hand.
export type Conversation = Schemas["ConversationOut"];
export type Message = Schemas["MessageOut"];
export type Attachment = Schemas["AttachmentOut"];
export type Counts = Schemas["ConversationCounts"];
export type Visitor = Schemas["VisitorOut"];

/** The values the documented `status` and `sender` fields take. */
export type ConversationStatus = "bot" | "waiting" | "agent" | "resolved";
export type Sender = "visitor" | "bot" | "agent" | "system";

export interface UserRef {
  id: string;
  name: string;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  role: string;
}

export type Presence = "online" | "away";

/** Server -> client events on /agent. */
export interface AgentServerEvents {
  /** the server's fan-out lost events (a Redis outage): fetch everything shown again */
  resync: { reason: string };
  conversation_updated: { conversation: Conversation };
  message_created: { message: Message };
  /** a stored message changed (the LLM's sentiment replaced the lexicon's) */
  message_updated: { message: Message };
  bot_stream: { conversation_id: string; message_id: string; delta: string };
  bot_stream_cancelled: { conversation_id: string; message_id: string };
  display_typing: {
    conversation_id: string;
    sender: "visitor" | "agent" | "bot";
    typing: boolean;
    name?: string | null;
  };
  new_notification: {
    id: string;
    kind: "waiting" | "message" | "assigned" | "offer" | "mention" | "ticket";
    conversation_id: string;
    ticket_id?: string | null;
    text: string;
    created_at: string;
    read_at: string | null;
  };
  /** Some (ids) or all (ids null) of this agent's notifications were read, in any tab. */
  notifications_read: { ids: string[] | null; unread_count: number };
  agent_presence: { user_id: string; presence: string };
  visitor_joined: { visitor: LiveVisitor };
  visitor_updated: { visitor: LiveVisitor };
  visitor_left: { visitor_id: string };
  suggestion_stream: CopilotDelta;
  suggestion: CopilotDelta & { text: string; citations: Citation[]; error?: string };
  summary_stream: CopilotDelta;
  summary: CopilotDelta & { text: string; cached: boolean; error?: string };
  /** The AI proposed a tool call that needs approval (docs/ai.md "Tool policy"). */
  action_proposed: { action: ToolAction };
  /** An action ran (auto), or was approved, rejected, done or failed. */
  action_updated: { action: ToolAction };
  /** The visitor rated the conversation (csat domain): refetch its rating. */
  csat_submitted: { conversation_id: string; rating: number; comment: string | null; channel: string; created_at: string };
}

export type ToolAction = components["schemas"]["ActionOut"];

/** Copilot (design.md "Copilot"): a streamed piece of a suggested reply or summary. */
export interface CopilotDelta {
  conversation_id: string;
  request_id: string | null;
  delta?: string;
}

export interface Citation {
  article_id: string;
  title: string;
  excerpt?: string;
}

export interface MessageAck {
  id: string;
  client_id: string | null;
  created_at: string;
}

/** Client -> server events on /agent, with their acks. */
export interface AgentClientEvents {
  join_session: [{ conversation_id: string }, { conversation: Conversation; messages: Message[] }];
  leave_session: [{ conversation_id: string }, { ok: boolean }];
  take_over: [{ conversation_id: string }, { conversation: Conversation }];
  release: [{ conversation_id: string }, { conversation: Conversation }];
  resolve: [{ conversation_id: string }, { conversation: Conversation }];
  agent_message: [{ conversation_id: string; client_id: string; text: string; attachment_ids?: string[] }, MessageAck];
  internal_note: [{ conversation_id: string; client_id: string; text: string; attachment_ids?: string[] }, MessageAck];
  typing_start: [{ conversation_id: string }, { ok: boolean }];
  typing_stop: [{ conversation_id: string }, { ok: boolean }];
  set_presence: [{ presence: Presence }, { presence: Presence }];
  initiate_chat: [{ visitor_id: string; text: string }, { conversation_id: string; message_id: string }];
  suggest_reply: [{ conversation_id: string }, { conversation_id: string; request_id: string }];
  summarize: [{ conversation_id: string }, { conversation_id: string; request_id: string }];
  ai_verdict: [
    { conversation_id: string; message_id: string; verdict: "good" | "bad" | "corrected"; correction?: string },
    { message_id: string; verdict: string; log_id: string },
  ];
}
