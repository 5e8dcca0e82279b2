import { useQuery } from "@tanstack/react-query";
import { tickets } from "../tickets/api";
import { useEffect, useMemo, useState } from "react";
import { useNavigate } from "react-router";
import { conversationEvents } from "../../api/admin";
import { errorText } from "../../api/client";
import { keys } from "../../api/queries";
import { assign, listUsers } from "../../api/rest";
import { inboxPath } from "../../lib/route";
import { markRead } from "../inbox/unread";
import type { TabId } from "../inbox/model";
import { statusLabel } from "../inbox/Sidebar";
import { focus } from "../inbox/live";
import { priorityLabel, visitorLabel } from "../inbox/model";
import { useStore } from "../../lib/store";
import { longDuration, localTime, useNow } from "../../lib/time";
import { acked, outbox } from "../../outbox";
import { realtime } from "../../realtime/connector";
import type { Session } from "../../session";
import { can } from "../../session";
import type { Conversation } from "../../types";
import { CopilotPanel } from "../copilot/CopilotPanel";
import { ActionsPanel } from "../actions/ActionsPanel";
import { CsatRows, CsatTimelineItem } from "../csat/CsatSummary";
import { Composer } from "./Composer";
import { PreviousConversations } from "./PreviousConversations";
import { Transcript } from "./Transcript";
import { upsert, useConversation } from "./useConversation";

export function ConversationView({ id, session, tab }: { id: string; session: Session; tab: TabId }) {
  const me = session.user;
  const view = useConversation(id, me);
  const pendingAll = useStore(outbox);
  const ackedAll = useStore(acked);

  useEffect(() => {
    focus.conversationId = id;
    return () => {
      focus.conversationId = null;
    };
  }, [id]);
  // on screen means read: clear the marker now and whenever a message arrives while open
  useEffect(() => {
    markRead(id);
  }, [id, view.messages.length]);

  // what the server acknowledged shows at once, even before its broadcast arrives
  const messages = useMemo(
    () => ackedAll.filter((m) => m.conversation_id === id).reduce(
      (list, m) => (list.some((x) => x.id === m.id) ? list : upsert(list, m)),
      view.messages,
    ),
    [ackedAll, view.messages, id],
  );
  const pending = useMemo(() => {
    const stored = new Set(messages.map((m) => m.client_id));
    return pendingAll.filter((p) => p.conversation_id === id && !stored.has(p.client_id));
  }, [pendingAll, messages, id]);

  if (view.notFound) {
    return (
      <section className="conversation-empty" aria-label="Conversation">
        <h2>Conversation not found</h2>
        <p>It may have been deleted, or you may not have access to it.</p>
      </section>
    );
  }
  const c = view.conversation;
  if (!c) {
    return (
      <section className="conversation-empty" aria-label="Conversation" aria-busy="true">
        {view.error ? <p role="alert" className="error">{view.error}</p> : <p>Loading conversation…</p>}
      </section>
    );
  }

  const mine = c.status === "agent" && c.assignee?.id === me.id;
  const replyBlockedReason =
    c.status === "resolved"
      ? "This conversation is resolved."
      : c.status === "agent" && c.assignee && c.assignee.id !== me.id
        ? `${c.assignee.name} owns this conversation. You can add internal notes.`
        : "Take over to reply to the visitor. You can add internal notes.";
  const name = visitorLabel(c);

  return (
    <div className="conversation-layout">
      <section className="conversation" aria-labelledby="conversation-title">
        <Actions c={c} session={session} tab={tab} onChange={view.setConversation} onError={view.setError} />
        {view.error && (
          <p role="alert" className="error banner">
            {view.error}{" "}
            <button type="button" className="link" onClick={() => view.setError(null)}>
              Dismiss
            </button>
          </p>
        )}
        <Transcript
          messages={messages}
          streams={view.streams}
          pending={pending}
          typing={view.typing}
          meId={me.id}
          visitorName={name}
        />
        <Composer conversationId={c.id} meId={me.id} canReply={mine} replyBlockedReason={replyBlockedReason} />
      </section>
      <div className="conversation-side">
        <ActionsPanel conversationId={c.id} canDecide={can(session, "actions:approve")} />
        <CopilotPanel conversationId={c.id} messages={messages} canReply={mine} />
        <VisitorPanel c={c} meId={me.id} />
      </div>
    </div>
  );
}

function Actions({
  c,
  session,
  tab,
  onChange,
  onError,
}: {
  c: Conversation;
  session: Session;
  tab: TabId;
  onChange: (c: Conversation) => void;
  onError: (e: string | null) => void;
}) {
  const [busy, setBusy] = useState<string | null>(null);
  const navigate = useNavigate();
  const me = session.user;
  const run = async (label: string, action: () => Promise<Conversation>) => {
    setBusy(label);
    onError(null);
    try {
      onChange(await action());
    } catch (exc) {
      onError(`${label} failed: ${errorText(exc)}`);
    } finally {
      setBusy(null);
    }
  };
  const conversation_id = c.id;
  const ownsIt = c.assignee?.id === me.id;
  const isAdmin = can(session, "conversations:assign");
  const canTake = (c.status === "bot" || c.status === "waiting") && can(session, "conversations:reply");
  const canRelease = c.status === "agent" && (ownsIt || isAdmin);
  const canResolve = c.status !== "resolved" && can(session, "conversations:resolve");
  // a chat that should go on by email (the visitor left, or it needs time): a ticket
  const canConvert = c.channel === "widget" && c.status !== "resolved" && can(session, "tickets:reply");
  const convert = async () => {
    setBusy("Convert to ticket");
    onError(null);
    try {
      const from = window.location.hash;
      const ticket = await tickets.convert(conversation_id);
      if (window.location.hash === from) navigate(`/tickets/${ticket.id}`);
    } catch (exc) {
      onError(`Convert to ticket failed: ${errorText(exc)}`);
    } finally {
      setBusy(null);
    }
  };

  return (
    <header className="conversation-header">
      <div className="title">
        <h2 id="conversation-title">{visitorLabel(c)}</h2>
        <span className={`badge badge-${c.status}`}>{statusLabel(c.status)}</span>
        {c.assignee && <span className="assignee">· {ownsIt ? "assigned to you" : `assigned to ${c.assignee.name}`}</span>}
      </div>
      <div className="actions" role="group" aria-label="Conversation actions">
        {canTake && (
          <button type="button" className="primary" disabled={busy !== null} data-shortcut="take-over" aria-keyshortcuts="t"
            onClick={() =>
              void run("Take over", async () => {
                const from = window.location.hash;
                const { conversation } = await realtime.request("take_over", { conversation_id });
                // an agent who moved on while the take-over was on its way stays where they went
                if (window.location.hash !== from) return conversation;
                // the list follows: the conversation is now in Mine (All stays All)
                if (tab !== "mine" && tab !== "all") navigate(inboxPath("mine", conversation_id), { replace: true });
                // ready to type the first reply
                window.setTimeout(() => document.querySelector<HTMLTextAreaElement>(".composer textarea")?.focus(), 0);
                return conversation;
              })
            }>
            Take over
          </button>
        )}
        {canRelease && (
          <button type="button" className="secondary" disabled={busy !== null}
            onClick={() => void run("Release to AI", async () => (await realtime.request("release", { conversation_id })).conversation)}>
            Release to AI
          </button>
        )}
        {canResolve && (
          <button type="button" className="secondary" disabled={busy !== null} data-shortcut="resolve" aria-keyshortcuts="e"
            onClick={() => void run("Resolve", async () => (await realtime.request("resolve", { conversation_id })).conversation)}>
            Resolve
          </button>
        )}
        {canConvert && (
          <button type="button" className="secondary" disabled={busy !== null} onClick={() => void convert()}>
            Convert to ticket
          </button>
        )}
        {isAdmin && c.status !== "resolved" && (
          <AssignMenu c={c} disabled={busy !== null} onAssign={(agentId) => void run("Assign", () => assign(c.id, agentId))} />
        )}
      </div>
    </header>
  );
}

interface Agent {
  id: string;
  name: string;
  presence: string;
}

function AssignMenu({ c, disabled, onAssign }: { c: Conversation; disabled: boolean; onAssign: (id: string) => void }) {
  const users = useQuery({ queryKey: keys.users, queryFn: listUsers, staleTime: 15_000 });
  const agents: Agent[] | null = users.data
    ? users.data.items.filter((u) => u.is_active).map((u) => ({ id: String(u.id), name: u.name || u.email, presence: u.presence }))
    : null;
  const error = users.error ? errorText(users.error) : null;
  return (
    <label className="assign">
      <span className="visually-hidden">Assign to</span>
      <select
        value=""
        disabled={disabled || agents === null}
        onChange={(e) => e.target.value && onAssign(e.target.value)}
        title={error ? `Could not load agents: ${error}` : undefined}
      >
        <option value="">{error ? "Agents unavailable" : agents === null ? "Loading agents…" : "Assign to…"}</option>
        {(agents ?? []).map((a) => (
          <option key={a.id} value={a.id} disabled={a.id === c.assignee?.id}>
            {a.name} ({a.presence})
          </option>
        ))}
      </select>
    </label>
  );
}

const STATUS_WORD: Record<string, string> = { bot: "AI", waiting: "queue", agent: "agent", resolved: "resolved" };

/** The conversation's state changes, from GET /conversations/{id}/events (refreshed on every update). */
function Timeline({ id }: { id: string }) {
  const events = useQuery({ queryKey: keys.events(id), queryFn: () => conversationEvents(id) });
  if (events.error) return <p className="error">Could not load the timeline: {errorText(events.error)}</p>;
  if (!events.data) return <p className="muted">Loading…</p>;
  if (events.data.items.length === 0) return <p className="muted">No status changes yet.</p>;
  return (
    <ol className="timeline" aria-label="Timeline">
      {events.data.items.map((e) => (
        <li key={e.id}>
          <time dateTime={e.created_at}>{new Date(e.created_at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })}</time>{" "}
          <span>
            {STATUS_WORD[e.from_status] ?? e.from_status} → <strong>{STATUS_WORD[e.to_status] ?? e.to_status}</strong>
            {e.actor_name ? ` by ${e.actor_name}` : e.actor_kind !== "system" ? ` by ${e.actor_kind}` : ""}
            {e.reason ? ` (${e.reason.replace(/_/g, " ")})` : ""}
          </span>
        </li>
      ))}
      <CsatTimelineItem id={id} />
    </ol>
  );
}

function VisitorPanel({ c, meId }: { c: Conversation; meId: string }) {
  const [timeline, setTimeline] = useState(false);
  const now = useNow(30_000);
  const v = c.visitor;
  const local = localTime(v.timezone, now);
  return (
    <aside className="details" aria-label="Visitor details">
      <h2>Visitor</h2>
      <dl>
        <dt>Name</dt>
        <dd>{v.name || <span className="muted">Not given</span>}</dd>
        <dt>Email</dt>
        <dd>{v.email ? <a href={`mailto:${v.email}`}>{v.email}</a> : <span className="muted">Not given</span>}</dd>
        {c.follow_up_email && c.follow_up_email !== v.email && (
          <>
            <dt>Follow-up email</dt>
            <dd data-testid="follow-up-email">
              <a href={`mailto:${c.follow_up_email}`}>{c.follow_up_email}</a>
              <span className="muted"> (left in the chat)</span>
            </dd>
          </>
        )}
        <dt>Page</dt>
        <dd className="break">
          {v.page_url ? (
            <a href={v.page_url} target="_blank" rel="noreferrer noopener">
              {v.page_title || v.page_url}
            </a>
          ) : (
            <span className="muted">Unknown</span>
          )}
        </dd>
        <dt>Local time</dt>
        <dd>{local ? `${local} (${v.timezone})` : <span className="muted">Unknown</span>}</dd>
        {v.locale && (
          <>
            <dt>Language</dt>
            <dd>{v.locale}</dd>
          </>
        )}
      </dl>
      <h2>Conversation</h2>
      <dl>
        <dt>Started</dt>
        <dd>{new Date(c.created_at).toLocaleString()}</dd>
        {c.status === "waiting" && c.waiting_since && (
          <>
            <dt>Waiting for</dt>
            <dd>
              {longDuration(c.waiting_since, now)}
              {c.queue_position ? ` (#${c.queue_position} in queue)` : ""}
            </dd>
          </>
        )}
        {priorityLabel(c) && (
          <>
            <dt>Priority</dt>
            <dd data-testid="panel-priority">{priorityLabel(c)}</dd>
          </>
        )}
        {c.handoff_reason && (
          <>
            <dt>Handoff reason</dt>
            <dd>{c.handoff_reason.replace(/_/g, " ")}</dd>
          </>
        )}
        {c.resolved_at && (
          <>
            <dt>Resolved</dt>
            <dd>{new Date(c.resolved_at).toLocaleString()}</dd>
          </>
        )}
        <CsatRows id={c.id} />
      </dl>
      <h2>
        <button type="button" className="link timeline-toggle" aria-expanded={timeline} onClick={() => setTimeline((v) => !v)}>
          Timeline
        </button>
      </h2>
      {timeline && <Timeline id={c.id} />}
      <PreviousConversations c={c} meId={meId} />
    </aside>
  );
}
