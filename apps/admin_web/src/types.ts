// Shared shapes. REST ones come from the generated OpenAPI schema, realtime ones from the
// generated realtime contract; nothing here describes an event payload by hand.

import type { components } from "./api/schema";

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

// The realtime contract (events, payloads, acks) is generated from the server's structs:
// src/realtime/contract.gen.ts, `python -m baton.realtime.typegen` (docs/realtime.md).
export type {
  AgentClientEvents,
  AgentServerEvents,
  Citation,
  CopilotDelta,
  ErrorAck,
  MessageAck,
} from "./realtime/contract.gen";

export type ToolAction = components["schemas"]["ActionOut"];
