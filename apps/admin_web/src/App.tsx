import { useEffect } from "react";
import { ConversationView } from "./conversation/ConversationView";
import { useCounts, useInboxAlerts } from "./inbox/live";
import { Sidebar } from "./inbox/Sidebar";
import { useRoute } from "./lib/route";
import { useStore } from "./lib/store";
import { openOutbox } from "./outbox";
import { realtime } from "./realtime/connector";
import { can, sessionStore, type Session } from "./session";
import { WidgetSettings } from "./settings/WidgetSettings";
import { SignIn } from "./SignIn";
import { TopBar } from "./TopBar";

export function App() {
  const { session, expired } = useStore(sessionStore);
  if (!session) return <SignIn />;
  return (
    <>
      <div className="app" inert={expired}>
        <Workspace key={session.user.id} session={session} live={!expired} />
      </div>
      {expired && <SignIn expiredEmail={session.user.email} />}
    </>
  );
}

function Workspace({ session, live }: { session: Session; live: boolean }) {
  const route = useRoute();
  const user = session.user;
  useEffect(() => {
    openOutbox({ id: user.id, name: user.name });
  }, [user.id, user.name]);
  useEffect(() => {
    if (!live) {
      realtime.stop();
      return;
    }
    realtime.start(session.token);
    return () => realtime.stop();
  }, [session.token, live]);
  useInboxAlerts(user.id);
  const { counts } = useCounts();
  useEffect(() => {
    // the queue length in the tab title, for agents working in another tab
    const waiting = counts?.waiting ?? 0;
    document.title = waiting ? `(${waiting}) Baton inbox` : "Baton inbox";
  }, [counts?.waiting]);
  const isAdmin = can(session, "conversations:read_all");
  const tab = route.tab === "all" && !isAdmin ? "waiting" : route.tab;

  return (
    <>
      <TopBar session={session} />
      <div className="workspace">
        <Sidebar tab={tab} conversationId={route.conversationId} counts={counts} meId={user.id} isAdmin={isAdmin} />
        <main id="main" className="main" tabIndex={-1}>
          {route.settings && can(session, "settings:manage") ? (
            <WidgetSettings />
          ) : route.conversationId ? (
            <ConversationView key={route.conversationId} id={route.conversationId} session={session} />
          ) : (
            <section className="conversation-empty" aria-label="Conversation">
              <h2>Pick a conversation</h2>
              <p className="muted">Waiting conversations are oldest first. Take one over to reply.</p>
            </section>
          )}
        </main>
      </div>
    </>
  );
}
