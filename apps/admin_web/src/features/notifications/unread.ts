// The unread count behind the bell, kept in step by the socket: a new notification adds one,
// `notifications_read` (from this tab or any other tab of the same agent) sets it.
import { Store } from "../../lib/store";
import { realtime } from "../../realtime/connector";
import { notifications } from "./api";

export const unread = new Store<number>(0);
/** Bumped on every change, so an open panel refetches its list. */
export const revision = new Store<number>(0);
const seen = new Set<string>();

async function refresh(): Promise<void> {
  try {
    unread.set((await notifications.unreadCount()).count);
  } catch {
    // the badge is a hint; the next event or reconnect corrects it
  }
}

let started = false;

/** Start once per page (the bell mounts it): count, then follow the socket. */
export function followUnread(): void {
  if (started) return;
  started = true;
  realtime.on("new_notification", (n) => {
    revision.set((r) => r + 1);
    // the same id again: an unread "message" updated by the visitor's next line
    if (seen.has(n.id)) return;
    seen.add(n.id);
    if (!n.read_at) unread.set((c) => c + 1);
  });
  realtime.on("notifications_read", (e) => {
    unread.set(e.unread_count);
    revision.set((r) => r + 1);
  });
  // anything missed while disconnected: ask again
  realtime.onConnected(() => void refresh());
}
