// The bell in the top bar: a badge with the unread count, a panel with the latest
// notifications (open one, mark one or all read) and the agent's notification preferences.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useId, useRef, useState } from "react";
import { useNavigate } from "react-router";
import { errorText } from "../../api/client";
import { useStore } from "../../lib/store";
import { KIND_LABEL } from "./kinds";
import { ago } from "./time";
import { notifications, type NotificationItem } from "./api";
import { NotificationPreferences } from "./NotificationPreferences";
import { followUnread, revision, unread } from "./unread";
import "./notifications.css";

const TAB_FOR: Record<string, string> = { waiting: "waiting", offer: "waiting", assigned: "mine", message: "mine", mention: "all" };

export function NotificationBell() {
  useEffect(followUnread, []);
  const count = useStore(unread);
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const wrapper = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent) => {
      if (wrapper.current && !wrapper.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("mousedown", close);
    return () => document.removeEventListener("mousedown", close);
  }, [open]);
  return (
    <div className="notification-bell" ref={wrapper}>
      <button
        type="button"
        className="bell-button"
        aria-expanded={open}
        aria-controls={panelId}
        aria-label={count ? `Notifications, ${count} unread` : "Notifications"}
        onClick={() => setOpen((v) => !v)}
      >
        <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">
          <path
            fill="currentColor"
            d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22zm7-6V11a7 7 0 0 0-5.5-6.84V3a1.5 1.5 0 0 0-3 0v1.16A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2z"
          />
        </svg>
        {count > 0 && (
          <span className="bell-badge" data-testid="unread-badge">
            {count > 99 ? "99+" : count}
          </span>
        )}
      </button>
      {open && (
        <div
          id={panelId}
          className="notification-panel"
          role="dialog"
          aria-label="Notifications"
          onKeyDown={(e) => e.key === "Escape" && setOpen(false)}
        >
          <Panel onClose={() => setOpen(false)} />
        </div>
      )}
    </div>
  );
}

function Panel({ onClose }: { onClose: () => void }) {
  const [onlyUnread, setOnlyUnread] = useState(false);
  const [showPrefs, setShowPrefs] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const rev = useStore(revision);
  const client = useQueryClient();
  const navigate = useNavigate();
  const list = useQuery({
    queryKey: ["notifications", onlyUnread, rev],
    queryFn: () => notifications.list(onlyUnread),
    staleTime: 0,
  });
  const act = async (call: () => Promise<unknown>) => {
    setError(null);
    try {
      await call();
      await client.invalidateQueries({ queryKey: ["notifications"] });
    } catch (exc) {
      setError(errorText(exc));
    }
  };
  const openOne = (n: NotificationItem) => {
    if (!n.read_at) void act(() => notifications.read(n.id));
    if (n.ticket_id) {
      navigate(`/tickets/${n.ticket_id}`);
      onClose();
    } else if (n.conversation_id) {
      navigate(`/inbox/${TAB_FOR[n.kind] ?? "all"}/${n.conversation_id}`);
      onClose();
    } else if (n.kind === "webhook") {
      navigate("/admin/webhooks");
      onClose();
    }
  };
  const items = list.data?.items ?? [];
  return (
    <>
      <div className="notification-head">
        <h2>Notifications</h2>
        <label className="ui-check">
          <input type="checkbox" checked={onlyUnread} onChange={(e) => setOnlyUnread(e.target.checked)} /> Unread only
        </label>
        <button type="button" className="secondary" onClick={() => void act(notifications.readAll)}>
          Mark all read
        </button>
        <button type="button" className="secondary" aria-expanded={showPrefs} onClick={() => setShowPrefs((v) => !v)}>
          Preferences
        </button>
      </div>
      {showPrefs && <NotificationPreferences />}
      {error && <p role="alert" className="ui-field-error">{error}</p>}
      {list.error && <p className="ui-field-error">{errorText(list.error)}</p>}
      {list.data && items.length === 0 && <p className="muted">{onlyUnread ? "Nothing unread." : "No notifications yet."}</p>}
      <ul className="notification-list">
        {items.map((n) => (
          <li key={n.id} className={n.read_at ? "read" : "unread"}>
            <button type="button" className="notification-open" onClick={() => openOne(n)}>
              <span className={`notification-kind kind-${n.kind}`}>{KIND_LABEL[n.kind] ?? n.kind}</span>
              <span className="notification-text">{n.text}</span>
              <time className="muted small" dateTime={n.created_at}>
                {ago(n.created_at)}
              </time>
            </button>
            {!n.read_at && (
              <button type="button" className="secondary small" aria-label={`Mark read: ${n.text}`} onClick={() => void act(() => notifications.read(n.id))}>
                Mark read
              </button>
            )}
          </li>
        ))}
      </ul>
    </>
  );
}
