import { useCallback, useEffect, useRef, useState } from "react";
import { errorText } from "../../api/client";
import { listConversations } from "../../api/rest";
import { realtime } from "../../realtime/connector";
import type { Conversation } from "../../types";
import { remember } from "./live";
import { applyUpdate, belongs, TABS, type TabId } from "./model";

interface ListState {
  items: Conversation[];
  nextCursor: string | null;
  loading: boolean;
  error: string | null;
}

const PAGE = 50;

/**
 * One tab's list: fetched from REST (the truth), then kept current by `conversation_updated`
 * hints, and fetched again after every reconnect (anything may have happened meanwhile).
 */
export function useConversationList(shownTab: TabId, q: string, meId: string) {
  // a search looks in every conversation the caller may see (server-side q), not just this tab
  const tab: TabId = q ? "all" : shownTab;
  const [state, setState] = useState<ListState>({ items: [], nextCursor: null, loading: true, error: null });
  const generation = useRef(0);
  const refetchTimer = useRef<number | undefined>(undefined);
  const itemsRef = useRef<Conversation[]>([]);
  itemsRef.current = state.items;

  const load = useCallback(async () => {
    const mine = ++generation.current;
    setState((s) => ({ ...s, loading: true }));
    try {
      const def = TABS.find((t) => t.id === tab)!;
      const page = await listConversations({ ...def.query(meId), q: q || undefined, limit: PAGE });
      if (mine !== generation.current) return;
      page.items.forEach(remember);
      setState({ items: page.items, nextCursor: page.next_cursor, loading: false, error: null });
    } catch (exc) {
      if (mine !== generation.current) return;
      setState((s) => ({ ...s, loading: false, error: errorText(exc) }));
    }
  }, [tab, q, meId]);

  const loadMore = useCallback(async () => {
    const cursor = state.nextCursor;
    if (!cursor) return;
    const mine = generation.current;
    try {
      const def = TABS.find((t) => t.id === tab)!;
      const page = await listConversations({ ...def.query(meId), q: q || undefined, limit: PAGE, cursor });
      if (mine !== generation.current) return;
      page.items.forEach(remember);
      setState((s) => {
        const seen = new Set(s.items.map((c) => c.id));
        return { ...s, items: [...s.items, ...page.items.filter((c) => !seen.has(c.id))], nextCursor: page.next_cursor };
      });
    } catch (exc) {
      setState((s) => ({ ...s, error: errorText(exc) }));
    }
  }, [state.nextCursor, tab, q, meId]);

  useEffect(() => {
    const refetchSoon = () => {
      window.clearTimeout(refetchTimer.current);
      refetchTimer.current = window.setTimeout(() => void load(), 300);
    };
    const offUpdate = realtime.on("conversation_updated", ({ conversation }) => {
      // with a search, the server decides what matches: refetch for rows we do not have
      const known = itemsRef.current.some((c) => c.id === conversation.id);
      if (q && !known && belongs(tab, conversation, meId)) refetchSoon();
      setState((s) => ({ ...s, items: applyUpdate(s.items, conversation, tab, meId, { insertNew: !q }) }));
    });
    // events may have been missed while disconnected: fetch again after each reconnect
    const offConnect = realtime.onReconnected(refetchSoon);
    void load();
    return () => {
      generation.current++;
      window.clearTimeout(refetchTimer.current);
      offUpdate();
      offConnect();
    };
  }, [load, tab, q, meId]);

  return { ...state, reload: load, loadMore };
}
