import { useInfiniteQuery, useQueryClient, type InfiniteData } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { errorText } from "../../api/client";
import { keys } from "../../api/queries";
import { listConversations } from "../../api/rest";
import { realtime } from "../../realtime/connector";
import type { Conversation, Page } from "../../types";
import { fresher } from "./live";
import { applyToPages, belongs, TABS, type TabId } from "./model";

const PAGE = 50;

/**
 * One tab's list, a TanStack infinite query over REST (the truth), kept current by
 * `conversation_updated` hints applied to the cached pages (model.ts), and fetched again after
 * every reconnect (the shell invalidates every conversation query then).
 */
export function useConversationList(shownTab: TabId, q: string, meId: string) {
  // a search looks in every conversation the caller may see (server-side q), not just this tab
  const tab: TabId = q ? "all" : shownTab;
  const client = useQueryClient();
  const queryKey = keys.conversationList(tab, q, meId);
  const query = useInfiniteQuery({
    queryKey,
    queryFn: async ({ pageParam }) => {
      const def = TABS.find((t) => t.id === tab)!;
      const page = await listConversations({ ...def.query(meId), q: q || undefined, limit: PAGE, cursor: pageParam });
      // a row an event already moved on wins over the fetched snapshot (and may leave the tab)
      const items = page.items.map(fresher).filter((c) => belongs(tab, c, meId));
      return { ...page, items };
    },
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    staleTime: 0,
  });
  const refetchTimer = useRef<number | undefined>(undefined);

  useEffect(() => {
    const refetchSoon = () => {
      window.clearTimeout(refetchTimer.current);
      refetchTimer.current = window.setTimeout(() => void client.invalidateQueries({ queryKey }), 300);
    };
    const off = realtime.on("conversation_updated", ({ conversation }) => {
      const data = client.getQueryData<InfiniteData<Page<Conversation>, string | undefined>>(queryKey);
      if (!data) return;
      // with a search, the server decides what matches: refetch for rows we do not have
      const known = data.pages.some((p) => p.items.some((c) => c.id === conversation.id));
      if (q && !known && belongs(tab, conversation, meId)) refetchSoon();
      client.setQueryData(queryKey, applyToPages(data, conversation, tab, meId, { insertNew: !q }));
    });
    // another person's conversation now (we may not read it): it leaves every list
    const offHidden = realtime.on("conversation_hidden", ({ conversation_id, assignee_id }) => {
      if (assignee_id === meId) return;
      const data = client.getQueryData<InfiniteData<Page<Conversation>, string | undefined>>(queryKey);
      if (!data || !data.pages.some((p) => p.items.some((c) => c.id === conversation_id))) return;
      client.setQueryData(queryKey, {
        ...data,
        pages: data.pages.map((p) => ({ ...p, items: p.items.filter((c) => c.id !== conversation_id) })),
      });
    });
    return () => {
      window.clearTimeout(refetchTimer.current);
      off();
      offHidden();
    };
  }, [client, tab, q, meId]); // queryKey is derived from tab, q and meId

  const items = query.data?.pages.flatMap((p) => p.items) ?? [];
  return {
    items,
    nextCursor: query.hasNextPage ? "more" : null,
    loading: query.isFetching && !query.isFetchingNextPage,
    error: query.error ? errorText(query.error) : null,
    reload: () => void query.refetch(),
    loadMore: () => void query.fetchNextPage(),
  };
}
