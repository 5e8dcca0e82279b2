// Messages the agent sent that the server has not acknowledged yet. Kept in localStorage so a
// reload, a dropped connection or an expired session loses nothing; resent (same client_id,
// so the server stores each once) whenever the socket (re)connects.
import { readJson, Store, writeJson } from "./lib/store";
import { AckError, realtime } from "./realtime/connector";
import type { Attachment, Message, MessageAck, UserRef } from "./types";

export interface Outgoing {
  client_id: string;
  conversation_id: string;
  text: string;
  internal: boolean;
  created_at: string;
  state: "pending" | "sending" | "failed";
  error?: string;
  attachments?: Attachment[]; // uploaded already; sent by id (docs/attachments.md)
}

export const outbox = new Store<Outgoing[]>([]);
/** Messages acknowledged by the server, so the transcript can show them before the broadcast. */
export const acked = new Store<Message[]>([]);

let storageKey: string | null = null;
let author: UserRef | null = null;
let flushing = false;

export function openOutbox(user: UserRef): void {
  storageKey = `baton.outbox.${user.id}`;
  author = user;
  const saved = readJson<Outgoing[]>(storageKey, []);
  outbox.set(saved.map((m) => (m.state === "sending" ? { ...m, state: "pending" } : m)));
}

outbox.subscribe(() => {
  if (storageKey) writeJson(storageKey, outbox.get().length ? outbox.get() : null);
});

function patch(clientId: string, change: Partial<Outgoing> | null): void {
  outbox.set((items) =>
    change === null
      ? items.filter((m) => m.client_id !== clientId)
      : items.map((m) => (m.client_id === clientId ? { ...m, ...change } : m)),
  );
}

export function enqueue(message: Omit<Outgoing, "state" | "created_at">): void {
  outbox.set((items) => [...items, { ...message, state: "pending", created_at: new Date().toISOString() }]);
  void flush();
}

export function retry(clientId: string): void {
  patch(clientId, { state: "pending", error: undefined });
  void flush();
}

export function discard(clientId: string): void {
  patch(clientId, null);
}

/** Send everything pending, one at a time and in order; stops when the socket drops. */
export async function flush(): Promise<void> {
  if (flushing) return;
  flushing = true;
  try {
    for (;;) {
      const next = outbox.get().find((m) => m.state === "pending");
      if (!next || !realtime.connected) return;
      patch(next.client_id, { state: "sending" });
      const payload = {
        conversation_id: next.conversation_id,
        client_id: next.client_id,
        text: next.text,
        ...(next.attachments?.length ? { attachment_ids: next.attachments.map((a) => a.id) } : {}),
      };
      try {
        const ack: MessageAck = next.internal
          ? await realtime.request("internal_note", payload)
          : await realtime.request("agent_message", payload);
        acked.set((list) => [
          ...list.slice(-50),
          {
            id: ack.id,
            conversation_id: next.conversation_id,
            sender: "agent",
            text: next.text,
            internal: next.internal,
            client_id: next.client_id,
            author,
            suggestions: [],
            created_at: ack.created_at,
            attachments: next.attachments ?? [],
          },
        ]);
        patch(next.client_id, null);
      } catch (exc) {
        if (exc instanceof AckError) {
          patch(next.client_id, { state: "failed", error: exc.message });
        } else {
          // timeout or disconnected: keep it, the next (re)connect sends it again
          patch(next.client_id, { state: "pending" });
          if (realtime.connected) window.setTimeout(() => void flush(), 3000);
          return;
        }
      }
    }
  } finally {
    flushing = false;
  }
}

realtime.onConnected(() => void flush());
