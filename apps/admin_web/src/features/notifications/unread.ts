// The unread count behind the bell, kept in step by the socket: a new notification adds one,
// `notifications_read` (from this tab or any other tab of the same agent) sets it.
import { Store } from "../../lib/store";
import { realtime } from "../../realtime/connector";
import { notifications } from "./api";
import { UnreadCounter } from "./counter";

export const unread = new Store<number>(0);
/** Bumped on every change, so an open panel refetches its list. */
export const revision = new Store<number>(0);
const counter = new UnreadCounter(unread, async () => (await notifications.unreadCount()).count);

let started = false;

/** Start once per page (the bell mounts it): count, then follow the socket. */
export function followUnread(): void {
  if (started) return;
  started = true;
  realtime.on("new_notification", (n) => {
    revision.set((r) => r + 1);
    counter.added(n.id, Boolean(n.read_at));
  });
  realtime.on("notifications_read", (e) => {
    counter.readTo(e.unread_count);
    revision.set((r) => r + 1);
  });
  // anything missed while disconnected: ask again
  realtime.onConnected(() => void counter.refresh());
}
