import { useEffect, useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { useSession } from "../../app/Shell";
import { inboxPath } from "../../lib/route";
import { can } from "../../session";
import { Dialog } from "../../ui";
import { ConversationView } from "../conversation/ConversationView";
import { useCounts } from "./live";
import { isTab, type TabId } from "./model";
import { isTyping, SHORTCUTS, step } from "./shortcuts";
import { Sidebar } from "./Sidebar";

/** /inbox/:tab/:id? — the list of a tab beside the open conversation (one or the other on a phone). */
export function InboxPage() {
  const session = useSession();
  const params = useParams();
  const navigate = useNavigate();
  const isAdmin = can(session, "conversations:read_all");
  const requested = params.tab;
  const tab: TabId = isTab(requested) && (requested !== "all" || isAdmin) ? requested : "waiting";
  const conversationId = params.id ?? null;
  const { counts } = useCounts();
  const [help, setHelp] = useState(false);

  useEffect(() => {
    if (requested !== tab) navigate(inboxPath(tab, conversationId), { replace: true });
  }, [requested, tab, conversationId, navigate]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || isTyping(e.target)) return;
      if (document.querySelector("dialog[open]")) return;
      const click = (name: string) => document.querySelector<HTMLButtonElement>(`[data-shortcut="${name}"]:not(:disabled)`)?.click();
      switch (e.key) {
        case "j":
        case "k": {
          const rows = [...document.querySelectorAll<HTMLAnchorElement>(".conversation-list a.row")];
          const ids = rows.map((r) => r.dataset.conversationId ?? "");
          const next = step(ids, conversationId, e.key === "j" ? 1 : -1);
          const row = rows[ids.indexOf(next ?? "")];
          if (row) {
            e.preventDefault();
            row.click();
            row.focus();
          }
          return;
        }
        case "/":
          e.preventDefault();
          document.querySelector<HTMLInputElement>('[data-shortcut="search"]')?.focus();
          return;
        case "r":
          e.preventDefault();
          document.querySelector<HTMLTextAreaElement>(".composer textarea")?.focus();
          return;
        case "t":
          e.preventDefault();
          click("take-over");
          return;
        case "e":
          e.preventDefault();
          click("resolve");
          return;
        case "?":
          e.preventDefault();
          setHelp(true);
          return;
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [conversationId]);

  return (
    <div className={`workspace${conversationId ? " has-conversation" : ""}`}>
      <Sidebar tab={tab} conversationId={conversationId} counts={counts} meId={session.user.id} isAdmin={isAdmin} />
      <main id="main" className="main" tabIndex={-1}>
        {conversationId ? (
          <div className="conversation-pane">
            <Link className="back-to-list" to={inboxPath(tab)}>
              ← Back to {tab} list
            </Link>
            <ConversationView key={conversationId} id={conversationId} session={session} tab={tab} />
          </div>
        ) : (
          <section className="conversation-empty" aria-label="Conversation">
            <h2>Pick a conversation</h2>
            <p className="muted">Waiting conversations are oldest first. Take one over to reply.</p>
            <p className="muted shortcut-hint">
              Press <kbd>?</kbd> for keyboard shortcuts.
            </p>
          </section>
        )}
      </main>
      <Dialog open={help} title="Keyboard shortcuts" onClose={() => setHelp(false)}>
        <dl className="shortcuts">
          {SHORTCUTS.map((s) => (
            <div key={s.key}>
              <dt>
                <kbd>{s.key}</kbd>
              </dt>
              <dd>{s.label}</dd>
            </div>
          ))}
        </dl>
      </Dialog>
    </div>
  );
}
