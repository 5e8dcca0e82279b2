import { useCallback, useEffect, useRef, useState } from "react";
import { errorText } from "../../api/client";
import { getConversation, listMessages } from "../../api/rest";
import { remember } from "../inbox/live";
import { realtime } from "../../realtime/connector";
import type { Conversation, Message } from "../../types";
import { newer } from "./newer";

export interface Typing {
  visitor: boolean;
  agents: string[];
}

function order(a: Message, b: Message): number {
  return Date.parse(a.created_at) - Date.parse(b.created_at) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Insert or replace by id (or by client_id, for an optimistic copy), keeping time order. */
export function upsert(list: Message[], m: Message): Message[] {
  const index = list.findIndex((x) => x.id === m.id || (m.client_id !== null && x.client_id === m.client_id));
  const next = index === -1 ? [...list, m] : list.map((x, i) => (i === index ? m : x));
  return index === -1 && list.length && order(list[list.length - 1]!, m) > 0 ? next.sort(order) : next;
}

/**
 * One open conversation: joined over /agent (which returns the transcript and subscribes the
 * socket to its messages, AI streams and typing), joined again after every reconnect, and
 * loaded over REST meanwhile when the socket is down.
 */
export function useConversation(id: string, me: { id: string; name: string }) {
  const [conversation, setConversation] = useState<Conversation | null>(null);
  const [messages, setMessages] = useState<Message[]>([]);
  const [streams, setStreams] = useState<Record<string, string>>({});
  const [typing, setTyping] = useState<Typing>({ visitor: false, agents: [] });
  const [error, setError] = useState<string | null>(null);
  const [notFound, setNotFound] = useState(false);
  const typingTimers = useRef(new Map<string, number>());

  const update = useCallback((c: Conversation) => {
    remember(c);
    setConversation((current) => newer(current, c));
  }, []);

  useEffect(() => {
    let alive = true;
    setConversation(null);
    setMessages([]);
    setStreams({});
    setTyping({ visitor: false, agents: [] });
    setError(null);
    setNotFound(false);

    const merge = (incoming: Message[]) =>
      setMessages((current) => incoming.reduce(upsert, current.filter((m) => m.conversation_id === id)));

    const join = async () => {
      try {
        const result = await realtime.request("join_session", { conversation_id: id });
        if (!alive) return;
        update(result.conversation);
        merge(result.messages);
        setStreams((s) => {
          const done = new Set(result.messages.map((m) => m.id));
          return Object.fromEntries(Object.entries(s).filter(([k]) => !done.has(k)));
        });
        setError(null);
      } catch (exc) {
        if (!alive) return;
        const text = errorText(exc);
        if (/not.?found/i.test(text)) setNotFound(true);
        else setError(`Could not open the conversation: ${text}`);
      }
    };

    const loadOverRest = async () => {
      try {
        const c = await getConversation(id);
        if (!alive) return;
        update(c);
        let cursor: string | undefined;
        for (let pages = 0; pages < 20; pages++) {
          const page = await listMessages(id, { limit: 200, cursor });
          if (!alive) return;
          merge(page.items);
          if (!page.next_cursor) break;
          cursor = page.next_cursor;
        }
      } catch (exc) {
        if (!alive) return;
        const text = errorText(exc);
        if (/not.?found/i.test(text)) setNotFound(true);
        else setError(`Could not load the conversation: ${text}`);
      }
    };

    const clearTyping = (key: string) => {
      window.clearTimeout(typingTimers.current.get(key));
      typingTimers.current.delete(key);
    };

    const offs = [
      realtime.onConnected(() => void join()),
      realtime.on("conversation_updated", ({ conversation: c }) => {
        if (c.id === id) setConversation((current) => newer(current, c));
      }),
      // another person owns it now and we may not read it: as a reload would say, it is gone
      realtime.on("conversation_hidden", ({ conversation_id, assignee_id }) => {
        if (conversation_id !== id || assignee_id === me.id) return;
        setNotFound(true);
        realtime.hint("leave_session", { conversation_id: id });
      }),
      realtime.on("message_created", ({ message }) => {
        if (message.conversation_id !== id) return;
        setMessages((list) => upsert(list, message));
        setStreams((s) => {
          if (!(message.id in s)) return s;
          const { [message.id]: _done, ...rest } = s;
          return rest;
        });
        if (message.sender === "visitor") setTyping((t) => ({ ...t, visitor: false }));
      }),
      realtime.on("message_updated", ({ message }) => {
        if (message.conversation_id === id) setMessages((list) => upsert(list, message));
      }),
      realtime.on("bot_stream", ({ conversation_id, message_id, delta }) => {
        if (conversation_id !== id) return;
        setStreams((s) => ({ ...s, [message_id]: (s[message_id] ?? "") + delta }));
      }),
      realtime.on("bot_stream_cancelled", ({ conversation_id, message_id }) => {
        if (conversation_id !== id) return;
        setStreams((s) => {
          if (!(message_id in s)) return s;
          const { [message_id]: _dropped, ...rest } = s;
          return rest;
        });
      }),
      realtime.on("display_typing", ({ conversation_id, sender, typing: on, name }) => {
        if (conversation_id !== id) return;
        const who = sender === "visitor" ? "visitor" : name || "An agent";
        if (sender !== "visitor" && who === me.name) return;
        const set = (value: boolean) =>
          setTyping((t) =>
            who === "visitor"
              ? { ...t, visitor: value }
              : { ...t, agents: value ? [...new Set([...t.agents, who])] : t.agents.filter((a) => a !== who) },
          );
        set(on);
        clearTyping(who);
        // a lost typing_stop must not leave the indicator on forever
        if (on) typingTimers.current.set(who, window.setTimeout(() => set(false), 8000));
      }),
    ];
    if (!realtime.connected) void loadOverRest();
    const timers = typingTimers.current;

    return () => {
      alive = false;
      offs.forEach((off) => off());
      timers.forEach((t) => window.clearTimeout(t));
      timers.clear();
      realtime.hint("leave_session", { conversation_id: id });
    };
  }, [id, me.name, update]);

  return { conversation, setConversation: update, messages, streams, typing, error, setError, notFound };
}
