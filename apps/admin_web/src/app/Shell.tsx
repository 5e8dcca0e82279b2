// The app shell around every page: the top bar with the navigation built from the caller's
// permissions, the one realtime connection, the outbox, inbox alerts and the tab title.
import { useQuery } from "@tanstack/react-query";
import { createContext, useContext, useEffect } from "react";
import { Outlet } from "react-router";
import { me } from "../api/rest";
import { keys } from "../api/queries";
import { useInboxAlerts, useCounts } from "../features/inbox/live";
import { useTicketAlerts } from "../features/tickets/live";
import { openUnread } from "../features/inbox/unread";
import { useStore } from "../lib/store";
import { openOutbox } from "../outbox";
import { realtime } from "../realtime/connector";
import { sessionStore, signedIn, type Session } from "../session";
import { TopBar } from "./TopBar";

const SessionContext = createContext<Session | null>(null);

/** The signed-in caller (the shell renders only with one). */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession outside the shell");
  return session;
}

export function Shell() {
  const { session, expired } = useStore(sessionStore);
  if (!session) return null;
  return (
    <SessionContext.Provider value={session}>
      <Live session={session} live={!expired} />
      <TopBar session={session} />
      <div className="shell-body">
        <Outlet />
      </div>
    </SessionContext.Provider>
  );
}

function samePermissions(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((p) => b.includes(p));
}

function Live({ session, live }: { session: Session; live: boolean }) {
  const user = session.user;
  useEffect(() => {
    openOutbox({ id: user.id, name: user.name });
    openUnread(user.id);
  }, [user.id, user.name]);
  useEffect(() => {
    if (!live) {
      realtime.stop();
      return;
    }
    realtime.start(session.token);
    return () => realtime.stop();
  }, [session.token, live]);
  // the role may have changed since sign-in: the menu follows what the server says now
  const current = useQuery({ queryKey: keys.me, queryFn: me, enabled: live });
  useEffect(() => {
    const fresh = current.data?.permissions;
    const s = sessionStore.get().session;
    if (fresh && s && !samePermissions(fresh, s.permissions)) signedIn({ ...s, permissions: fresh });
  }, [current.data]);
  useInboxAlerts(user.id);
  useTicketAlerts(live && session.permissions.includes("tickets:read"));
  const { counts } = useCounts();
  useEffect(() => {
    // the queue length in the tab title, for agents working in another tab
    const waiting = counts?.waiting ?? 0;
    document.title = waiting ? `(${waiting}) Baton inbox` : "Baton inbox";
  }, [counts?.waiting]);
  return null;
}
