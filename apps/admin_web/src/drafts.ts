// What the agent is typing, per conversation, kept in localStorage as they type.
import { readJson, writeJson } from "./lib/store";

export interface Draft {
  text: string;
  internal: boolean;
}

const key = (userId: string, conversationId: string) => `baton.draft.${userId}.${conversationId}`;

export function loadDraft(userId: string, conversationId: string): Draft {
  return readJson<Draft>(key(userId, conversationId), { text: "", internal: false });
}

export function saveDraft(userId: string, conversationId: string, draft: Draft): void {
  writeJson(key(userId, conversationId), draft.text || draft.internal ? draft : null);
}
