// Inbox-wide realtime: a cache of the conversations seen so far (to know who owns what),
// counts, and the notifications for "a conversation starts waiting" and "a visitor wrote in a
// conversation I own".
import { useQuery } from "@tanstack/react-query";
import { useEffect } from "react";
import { keys, queryClient } from "../../api/queries";
import { conversationCounts } from "../../api/rest";
import { errorText } from "../../api/client";
import { notify } from "../../notify";
import { realtime } from "../../realtime/connector";
import { navigate } from "../../lib/route";
import type { Conversation, Counts } from "../../types";
import { nextCounts } from "./counts";
import { visitorLabel } from "./model";
import { markUnread } from "./unread";

export const conversationCache = new Map<string, Conversation>();

export function remember(c: Conversation): Conversation | undefined {
  const previous = conversationCache.get(c.id);
  conversationCache.set(c.id, c);
  return previous;
}

/** The newer of a fetched row and what events already said of it: a list request may have
 * left before the last change and come back after its `conversation_updated`. */
export function fresher(c: Conversation): Conversation {
  const known = conversationCache.get(c.id);
  if (known && Date.parse(known.updated_at) > Date.parse(c.updated_at)) return known;
  conversationCache.set(c.id, c);
  return c;
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

/** Whether an update carries a visitor message the previous state did not have. */
export function newVisitorMessage(previous: Conversation | undefined, next: Conversation): boolean {
  const last = next.last_message;
  if (!previous || !last || last.sender !== "visitor") return false;
  const before = previous.last_message;
  return !before || before.created_at !== last.created_at || before.text !== last.text;
}

let countsTimer: number | undefined;
function countsSoon(): void {
  window.clearTimeout(countsTimer);
  countsTimer = window.setTimeout(() => void queryClient.invalidateQueries({ queryKey: keys.counts }), 250);
}

export function useInboxAlerts(meId: string): void {
  useEffect(() => {
    const offs = [
      realtime.on("conversation_updated", ({ conversation: c }) => {
        const previous = remember(c);
        const counts = nextCounts(queryClient.getQueryData<Counts>(keys.counts), previous, c, meId);
        if (counts) queryClient.setQueryData(keys.counts, counts);
        else countsSoon();
        void queryClient.invalidateQueries({ queryKey: keys.events(c.id) });
        // every agent hears conversation_updated (message_created only reaches some rooms):
        // a new last message from the visitor, off screen, is one more unread
        if (newVisitorMessage(previous, c) && !onScreen(c.id)) markUnread(c.id);
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
        const conversationId = n.conversation_id;
        // tickets: features/tickets/live.ts; every other kind is about a conversation
        if (n.kind === "ticket" || conversationId === null) return;
        if (n.kind === "message" && onScreen(conversationId)) return;
        const title = {
          waiting: "Visitor waiting",
          offer: "A waiting visitor is offered to you",
          assigned: "Conversation assigned to you",
          message: `New message from ${label(conversationId)}`,
          mention: "You were mentioned",
          ticket: "Ticket",
        }[n.kind];
        // an offer is the same event as "waiting" for this agent: alert once
        const key = `${n.kind === "offer" ? "waiting" : n.kind}:${conversationId}`;
        notify(key, title ?? "Baton", n.text, () =>
          navigate(n.kind === "waiting" || n.kind === "offer" ? "waiting" : "mine", conversationId),
        );
      }),
      // a conversation we may no longer read changed hands: the tab counts are the server's
      realtime.on("conversation_hidden", ({ assignee_id }) => {
        if (assignee_id !== meId) countsSoon();
      }),
      // events may have been missed while disconnected: ask again
      realtime.onReconnected(() => void queryClient.invalidateQueries({ queryKey: ["conversations"] })),
    ];
    return () => {
      window.clearTimeout(countsTimer);
      offs.forEach((off) => off());
    };
  }, [meId]);
}

/**
 * Tab counts: fetched at start, after every reconnect and once a minute; in between derived
 * from `conversation_updated` (counts.ts), with a refetch only for a conversation never seen.
 */
export function useCounts(): { counts: Counts | null; error: string | null } {
  const query = useQuery({ queryKey: keys.counts, queryFn: conversationCounts, refetchInterval: 60_000, staleTime: 0 });
  return { counts: query.data ?? null, error: query.error ? errorText(query.error) : null };
}
