// Hash routing (#/waiting, #/mine/<conversation id>): no server fallback needed under /app/.
import { useSyncExternalStore } from "react";
import { isTab, type TabId } from "../inbox/model";

export interface Route {
  tab: TabId;
  conversationId: string | null;
  /** #/settings/widget: the admin's widget page instead of a conversation */
  settings: boolean;
}

function parse(hash: string): Route {
  const [tab, id] = hash.replace(/^#\/?/, "").split("/");
  if (tab === "settings") return { tab: "waiting", conversationId: null, settings: true };
  return { tab: isTab(tab) ? tab : "waiting", conversationId: id ? decodeURIComponent(id) : null, settings: false };
}

export const SETTINGS_HREF = "#/settings/widget";

function subscribe(listener: () => void): () => void {
  window.addEventListener("hashchange", listener);
  return () => window.removeEventListener("hashchange", listener);
}

export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, () => window.location.hash);
  return parse(hash);
}

export function href(tab: TabId, conversationId?: string | null): string {
  return conversationId ? `#/${tab}/${encodeURIComponent(conversationId)}` : `#/${tab}`;
}

export function navigate(tab: TabId, conversationId?: string | null): void {
  window.location.hash = href(tab, conversationId);
}
