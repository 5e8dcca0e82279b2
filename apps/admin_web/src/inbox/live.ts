// Inbox-wide realtime: a cache of the conversations seen so far (to know who owns what),
// counts, and the notifications for "a conversation starts waiting" and "a visitor wrote in a
// conversation I own".
import { useCallback, useEffect, useRef, useState } from "react";
import { conversationCounts } from "../api/rest";
import { errorText } from "../api/client";
import { notify } from "../notify";
import { realtime } from "../realtime/connector";
import { navigate } from "../lib/route";
import type { Conversation, Counts } from "../types";
import { visitorLabel } from "./model";

export const conversationCache = new Map<string, Conversation>();

export function remember(c: Conversation): Conversation | undefined {
  const previous = conversationCache.get(c.id);
  conversationCache.set(c.id, c);
  return previous;
}

/** Which conversation the agent is looking at right now (no alert for what is on screen). */
export const focus = { conversationId: null as string | null };

function onScreen(conversationId: string): boolean {
  return (
    focus.conversationId === conversationId &&
    document.visibilityState === "visible" &&
    document.hasFocus()
  );
}

function label(conversationId: string): string {
  const c = conversationCache.get(conversationId);
  return c ? visitorLabel(c) : "A visitor";
}

export function useInboxAlerts(meId: string): void {
  useEffect(() => {
    const offs = [
      realtime.on("conversation_updated", ({ conversation: c }) => {
        const previous = remember(c);
        const recent = c.waiting_since !== null && Date.now() - Date.parse(c.waiting_since) < 120_000;
        if (c.status === "waiting" && previous?.status !== "waiting" && (previous || recent)) {
          notify(`waiting:${c.id}`, "Visitor waiting", `${visitorLabel(c)} is waiting for an agent`, () =>
            navigate("waiting", c.id),
          );
        }
      }),
      realtime.on("message_created", ({ message }) => {
        if (message.sender !== "visitor" || message.internal) return;
        const owner = conversationCache.get(message.conversation_id)?.assignee?.id;
        if (owner !== meId || onScreen(message.conversation_id)) return;
        notify(`message:${message.conversation_id}`, `New message from ${label(message.conversation_id)}`,
          message.text.slice(0, 140), () => navigate("mine", message.conversation_id));
      }),
      realtime.on("new_notification", (n) => {
        if (n.kind === "message" && onScreen(n.conversation_id)) return;
        const title = {
          waiting: "Visitor waiting",
          offer: "A waiting visitor is offered to you",
          assigned: "Conversation assigned to you",
          message: `New message from ${label(n.conversation_id)}`,
        }[n.kind];
        // an offer is the same event as "waiting" for this agent: alert once
        const key = `${n.kind === "offer" ? "waiting" : n.kind}:${n.conversation_id}`;
        notify(key, title ?? "Baton", n.text, () =>
          navigate(n.kind === "waiting" || n.kind === "offer" ? "waiting" : "mine", n.conversation_id),
        );
      }),
    ];
    return () => offs.forEach((off) => off());
  }, [meId]);
}

/** Tab counts: fetched at start, after every reconnect, and (debounced) after any change. */
export function useCounts(): { counts: Counts | null; error: string | null } {
  const [counts, setCounts] = useState<Counts | null>(null);
  const [error, setError] = useState<string | null>(null);
  const timer = useRef<number | undefined>(undefined);
  const load = useCallback(async () => {
    try {
      setCounts(await conversationCounts());
      setError(null);
    } catch (exc) {
      setError(errorText(exc));
    }
  }, []);
  useEffect(() => {
    const soon = () => {
      window.clearTimeout(timer.current);
      timer.current = window.setTimeout(() => void load(), 250);
    };
    const offs = [realtime.onReconnected(soon), realtime.on("conversation_updated", soon)];
    void load();
    return () => {
      window.clearTimeout(timer.current);
      offs.forEach((off) => off());
    };
  }, [load]);
  return { counts, error };
}
