// Which conversations each inbox tab shows and in which order: the same rules the server's
// list endpoint applies, so live updates can move rows without refetching.
import type { ListQuery } from "../../api/rest";
import type { Conversation, Counts } from "../../types";
import { newer } from "../conversation/newer";

export type TabId = "waiting" | "mine" | "unassigned" | "resolved" | "all";

export interface TabDef {
  id: TabId;
  label: string;
  hint: string;
  count: keyof Counts;
  query: (meId: string) => ListQuery;
  admin?: boolean;
}

export const TABS: TabDef[] = [
  {
    id: "waiting",
    label: "Waiting",
    hint: "Queued for a human, oldest first",
    count: "waiting",
    query: () => ({ status: "waiting" }),
  },
  {
    id: "mine",
    label: "Mine",
    hint: "Open conversations assigned to you",
    count: "mine",
    query: () => ({ status: "bot,waiting,agent", assignee: "me" }),
  },
  {
    id: "unassigned",
    label: "Unassigned",
    hint: "With the AI or queued, nobody assigned",
    count: "unassigned",
    query: () => ({ status: "bot,waiting", assignee: "none" }),
  },
  {
    id: "resolved",
    label: "Resolved",
    hint: "Closed conversations",
    count: "resolved",
    query: () => ({ status: "resolved" }),
  },
  {
    id: "all",
    label: "All",
    hint: "Every conversation (admins)",
    count: "all",
    query: () => ({}),
    admin: true,
  },
];

export function isTab(value: string | undefined): value is TabId {
  return TABS.some((t) => t.id === value);
}

/** Whether a conversation belongs in a tab (search aside). */
export function belongs(tab: TabId, c: Conversation, meId: string): boolean {
  if (c.last_message === null) return false; // the server hides conversations nobody wrote in
  switch (tab) {
    case "waiting":
      return c.status === "waiting";
    case "mine":
      return c.status !== "resolved" && c.assignee?.id === meId;
    case "unassigned":
      return (c.status === "bot" || c.status === "waiting") && c.assignee === null;
    case "resolved":
      return c.status === "resolved";
    case "all":
      return true;
  }
}

function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const PRIORITY_RANK: Record<string, number> = { urgent: 2, high: 1, normal: 0 };

/** A conversation's place in the queue's order: urgent, then high, then normal. */
export function priorityRank(c: Conversation): number {
  return PRIORITY_RANK[c.priority ?? "normal"] ?? 0;
}

/** Why a waiting conversation was moved up, as the row and the panel say it. */
export function priorityLabel(c: Conversation): string | null {
  if (c.status !== "waiting" || priorityRank(c) === 0) return null;
  const why = c.priority_reason === "visitor_frustrated" ? "visitor frustrated" : (c.priority_reason ?? "").replace(/_/g, " ");
  return `${c.priority === "urgent" ? "Urgent" : "High"}${why ? `: ${why}` : ""}`;
}

/** The server's order: the queue by priority (conversations/priority.py), then oldest first;
 * everything else most recently updated first. */
export function compare(tab: TabId): (a: Conversation, b: Conversation) => number {
  if (tab === "waiting") {
    return (a, b) =>
      priorityRank(b) - priorityRank(a) ||
      cmpStr(a.waiting_since ?? a.updated_at, b.waiting_since ?? b.updated_at) ||
      cmpStr(a.id, b.id);
  }
  return (a, b) =>
    Date.parse(b.updated_at) - Date.parse(a.updated_at) || cmpStr(b.id, a.id);
}

/** Apply one live update to a loaded list: move, insert or drop the row. */
export function applyUpdate(
  items: Conversation[],
  c: Conversation,
  tab: TabId,
  meId: string,
  { insertNew }: { insertNew: boolean },
): Conversation[] {
  const index = items.findIndex((x) => x.id === c.id);
  // an update published before the row was fetched again must not put back an older state
  if (index !== -1 && newer(items[index] ?? null, c) !== c) return items;
  const keep = belongs(tab, c, meId);
  if (index === -1 && (!keep || !insertNew)) return items;
  const next = index === -1 ? [...items] : items.filter((x) => x.id !== c.id);
  if (keep) {
    next.push(c);
    next.sort(compare(tab));
  }
  return next;
}

/**
 * Apply one live update to an infinite query's cached pages. The rows stay in their pages
 * (each keeps its cursor, so "Load more" and a refetch still line up); a row that moves is
 * taken out of its page and, when it belongs, put where the order says among all the rows.
 */
export function applyToPages<P extends { items: Conversation[]; next_cursor: string | null }, K>(
  data: { pages: P[]; pageParams: K[] },
  c: Conversation,
  tab: TabId,
  meId: string,
  { insertNew }: { insertNew: boolean },
): { pages: P[]; pageParams: K[] } {
  const all = data.pages.flatMap((p) => p.items);
  const next = applyUpdate(all, c, tab, meId, { insertNew });
  if (next === all) return data;
  // cut the new order back into pages of the same sizes (the last takes any extra row)
  const pages: P[] = [];
  let at = 0;
  data.pages.forEach((page, i) => {
    const size = i === data.pages.length - 1 ? next.length - at : Math.min(page.items.length, next.length - at);
    pages.push({ ...page, items: next.slice(at, at + size) });
    at += size;
  });
  return { pages, pageParams: data.pageParams };
}

export function visitorLabel(c: Conversation): string {
  return c.visitor.name || c.visitor.email || `Visitor ${c.visitor.id.slice(-4)}`;
}

export const SENDER_LABEL: Record<string, string> = {
  visitor: "Visitor",
  bot: "AI",
  agent: "Agent",
  system: "System",
};

/** The tab a conversation is found in for this agent (where a search result opens). */
export function tabFor(c: Conversation, meId: string, fallback: TabId): TabId {
  for (const tab of ["waiting", "mine", "unassigned", "resolved"] as const) if (belongs(tab, c, meId)) return tab;
  return fallback;
}
