// Addresses inside the SPA. The router (app/router.tsx) is a hash router, so every address works
// under /app/ with no server fallback: #/inbox/waiting/<id>, #/admin/users, ...
// The old addresses (#/waiting/<id>, #/settings/widget) redirect to the new ones.
import { isTab, type TabId } from "../features/inbox/model";

export function inboxPath(tab: TabId, conversationId?: string | null): string {
  return conversationId ? `/inbox/${tab}/${encodeURIComponent(conversationId)}` : `/inbox/${tab}`;
}

export function href(tab: TabId, conversationId?: string | null): string {
  return `#${inboxPath(tab, conversationId)}`;
}

/** Navigate from outside React (notification clicks): the hash router follows hashchange. */
export function navigate(tab: TabId, conversationId?: string | null): void {
  window.location.hash = href(tab, conversationId);
}

/** Where an address of the old hash scheme now lives, or null when it is not an old one. */
export function legacyRedirect(path: string): string | null {
  const [first, second] = path.replace(/^\/+/, "").split("/");
  if (first === "settings") return "/admin/settings/widget";
  if (isTab(first)) return inboxPath(first, second ? decodeURIComponent(second) : null);
  return null;
}
