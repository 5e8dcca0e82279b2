// Unread visitor messages per conversation, for this agent on this browser: counted from
// `message_created` while the conversation is not on screen, cleared when it is opened, and
// kept in localStorage so a reload keeps the markers.
import { readJson, Store, writeJson } from "../../lib/store";

export type UnreadMap = Record<string, number>;

export function bump(map: UnreadMap, conversationId: string): UnreadMap {
  return { ...map, [conversationId]: (map[conversationId] ?? 0) + 1 };
}

export function clear(map: UnreadMap, conversationId: string): UnreadMap {
  if (!(conversationId in map)) return map;
  const next = { ...map };
  delete next[conversationId];
  return next;
}

export const unread = new Store<UnreadMap>({});
let key: string | null = null;

export function openUnread(userId: string): void {
  key = `baton.unread.${userId}`;
  unread.set(readJson<UnreadMap>(key, {}));
}

unread.subscribe(() => {
  if (key) writeJson(key, Object.keys(unread.get()).length ? unread.get() : null);
});

export function markUnread(conversationId: string): void {
  unread.set((m) => bump(m, conversationId));
}

export function markRead(conversationId: string): void {
  unread.set((m) => clear(m, conversationId));
}
