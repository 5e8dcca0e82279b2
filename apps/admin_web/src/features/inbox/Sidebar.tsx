import { useEffect, useId, useRef, useState, type KeyboardEvent } from "react";
import { avatarColor, initials } from "../../lib/avatar";
import { href, navigate } from "../../lib/route";
import { duration, useNow } from "../../lib/time";
import type { Conversation, Counts } from "../../types";
import { useStore } from "../../lib/store";
import { priorityLabel, SENDER_LABEL, TABS, tabFor, visitorLabel, type TabDef, type TabId } from "./model";
import { unread } from "./unread";
import { useConversationList } from "./useConversationList";

interface Props {
  tab: TabId;
  conversationId: string | null;
  counts: Counts | null;
  meId: string;
  isAdmin: boolean;
}

export function Sidebar({ tab, conversationId, counts, meId, isAdmin }: Props) {
  const unreadMap = useStore(unread);
  const tabs = TABS.filter((t) => !t.admin || isAdmin);
  const [query, setQuery] = useState("");
  const [q, setQ] = useState("");
  useEffect(() => {
    const timer = window.setTimeout(() => setQ(query.trim()), 250);
    return () => window.clearTimeout(timer);
  }, [query]);
  const list = useConversationList(tab, q, meId);
  const now = useNow(15_000);
  const panelId = useId();
  const searchId = useId();

  return (
    <nav className="sidebar" aria-label="Conversations">
      <Tabs tabs={tabs} current={tab} counts={counts} panelId={panelId} conversationId={conversationId} />
      <div className="search">
        <label htmlFor={searchId} className="visually-hidden">
          Search conversations
        </label>
        <input
          id={searchId}
          type="search"
          placeholder="Search all conversations"
          data-shortcut="search"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          onKeyDown={(e) => {
            // Escape leaves the search box, so the single-key shortcuts work again
            if (e.key === "Escape") e.currentTarget.blur();
          }}
          autoComplete="off"
        />
      </div>
      <div
        id={panelId}
        role="tabpanel"
        aria-label={q ? `Search results for ${q}` : `${TABS.find((t) => t.id === tab)?.label} conversations`}
        className="list-panel"
      >
        {q && !list.loading && list.items.length > 0 && (
          <p className="search-scope">Results from every conversation you can see</p>
        )}
        {list.error && (
          <p role="alert" className="error">
            Could not load conversations: {list.error}{" "}
            <button type="button" className="link" onClick={() => void list.reload()}>
              Retry
            </button>
          </p>
        )}
        {!list.loading && !list.error && list.items.length === 0 && (
          <p className="empty">{q ? `No conversations match “${q}”.` : emptyText(tab)}</p>
        )}
        <ul className="conversation-list" aria-busy={list.loading}>
          {list.items.map((c) => (
            <Row
              key={c.id}
              c={c}
              tab={q ? tabFor(c, meId, tab) : tab}
              selected={c.id === conversationId}
              meId={meId}
              now={now}
              unread={unreadMap[c.id] ?? 0}
            />
          ))}
        </ul>
        {list.nextCursor && (
          <button type="button" className="secondary load-more" onClick={() => void list.loadMore()}>
            Load more
          </button>
        )}
      </div>
    </nav>
  );
}

function emptyText(tab: TabId): string {
  switch (tab) {
    case "waiting":
      return "Nobody is waiting. Nice.";
    case "mine":
      return "No open conversations assigned to you.";
    case "unassigned":
      return "No unassigned conversations.";
    case "resolved":
      return "No resolved conversations yet.";
    case "all":
      return "No conversations yet.";
  }
}

function Tabs({
  tabs,
  current,
  counts,
  panelId,
  conversationId,
}: {
  tabs: TabDef[];
  current: TabId;
  counts: Counts | null;
  panelId: string;
  conversationId: string | null;
}) {
  const refs = useRef<(HTMLAnchorElement | null)[]>([]);
  const onKeyDown = (e: KeyboardEvent, index: number) => {
    const delta = e.key === "ArrowRight" || e.key === "ArrowDown" ? 1 : e.key === "ArrowLeft" || e.key === "ArrowUp" ? -1 : 0;
    let next = index + delta;
    if (e.key === "Home") next = 0;
    if (e.key === "End") next = tabs.length - 1;
    if (next === index) return;
    e.preventDefault();
    next = (next + tabs.length) % tabs.length;
    navigate(tabs[next]!.id, conversationId);
    refs.current[next]?.focus();
  };
  return (
    <div role="tablist" aria-label="Inbox views" className="tabs">
      {tabs.map((t, i) => {
        const n = counts?.[t.count];
        const selected = t.id === current;
        return (
          <a
            key={t.id}
            ref={(el) => {
              refs.current[i] = el;
            }}
            role="tab"
            id={`tab-${t.id}`}
            href={href(t.id, conversationId)}
            aria-selected={selected}
            aria-controls={panelId}
            tabIndex={selected ? 0 : -1}
            title={t.hint}
            className={selected ? "tab selected" : "tab"}
            onKeyDown={(e) => onKeyDown(e, i)}
          >
            <span>{t.label}</span>
            <span className={`count${t.id === "waiting" && n ? " hot" : ""}`} aria-label={n === undefined ? undefined : `${n} conversations`}>
              {n ?? "–"}
            </span>
          </a>
        );
      })}
    </div>
  );
}

function Row({ c, tab, selected, meId, now, unread: n }: { c: Conversation; tab: TabId; selected: boolean; meId: string; now: number; unread: number }) {
  const last = c.last_message;
  const waited = c.status === "waiting" ? duration(c.waiting_since, now) : null;
  return (
    <li>
      <a
        href={href(tab, c.id)}
        className={`row status-${c.status}${selected ? " selected" : ""}${n ? " unread" : ""}`}
        aria-current={selected ? "page" : undefined}
        data-conversation-id={c.id}
      >
        <span className="avatar" aria-hidden="true" style={{ background: avatarColor(c.visitor.id) }}>
          {initials(visitorLabel(c))}
        </span>
        <span className="row-body">
        <span className="row-top">
          <span className="row-name">
            {n > 0 && (
              <span className="unread-count" data-testid="unread-count" aria-label={`${n} unread`}>
                {n}
              </span>
            )}
            {visitorLabel(c)}
          </span>
          {waited ? (
            <span className="waited" title={`Waiting since ${new Date(c.waiting_since!).toLocaleString()}`}>
              waiting {waited}
            </span>
          ) : (
            <span className="row-time">{duration(c.updated_at, now)} ago</span>
          )}
        </span>
        <span className="row-preview">
          {last ? (
            <>
              <span className="row-sender">{SENDER_LABEL[last.sender] ?? last.sender}:</span> {last.text}
            </>
          ) : (
            "No messages yet"
          )}
        </span>
        <span className="row-meta">
          <span className={`badge badge-${c.status}`}>{statusLabel(c.status)}</span>
          {priorityLabel(c) && (
            <span className={`badge badge-priority-${c.priority}`} data-testid="priority" title="Moved up the queue: the visitor's recent messages read as frustrated">
              {priorityLabel(c)}
            </span>
          )}
          {c.status === "waiting" && c.queue_position ? <span>#{c.queue_position} in queue</span> : null}
          {c.assignee && <span>{c.assignee.id === meId ? "You" : c.assignee.name}</span>}
        </span>
        </span>
      </a>
    </li>
  );
}

export function statusLabel(status: string): string {
  switch (status) {
    case "bot":
      return "With AI";
    case "waiting":
      return "Waiting";
    case "agent":
      return "With agent";
    case "resolved":
      return "Resolved";
    default:
      return status;
  }
}
