import { useEffect, useMemo, useState } from "react";
import { errorText } from "../api/client";
import { assign, listUsers } from "../api/rest";
import { statusLabel } from "../inbox/Sidebar";
import { focus } from "../inbox/live";
import { visitorLabel } from "../inbox/model";
import { useStore } from "../lib/store";
import { longDuration, localTime, useNow } from "../lib/time";
import { acked, outbox } from "../outbox";
import { realtime } from "../realtime/connector";
import type { Session } from "../session";
import { can } from "../session";
import type { Conversation } from "../types";
import { Composer } from "./Composer";
import { Transcript } from "./Transcript";
import { upsert, useConversation } from "./useConversation";

export function ConversationView({ id, session }: { id: string; session: Session }) {
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
        <Actions c={c} session={session} onChange={view.setConversation} onError={view.setError} />
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
      <VisitorPanel c={c} />
    </div>
  );
}

function Actions({
  c,
  session,
  onChange,
  onError,
}: {
  c: Conversation;
  session: Session;
  onChange: (c: Conversation) => void;
  onError: (e: string | null) => void;
}) {
  const [busy, setBusy] = useState<string | null>(null);
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

  return (
    <header className="conversation-header">
      <div className="title">
        <h2 id="conversation-title">{visitorLabel(c)}</h2>
        <span className={`badge badge-${c.status}`}>{statusLabel(c.status)}</span>
        {c.assignee && <span className="assignee">· {ownsIt ? "assigned to you" : `assigned to ${c.assignee.name}`}</span>}
      </div>
      <div className="actions" role="group" aria-label="Conversation actions">
        {canTake && (
          <button type="button" className="primary" disabled={busy !== null}
            onClick={() =>
              void run("Take over", async () => {
                const { conversation } = await realtime.request("take_over", { conversation_id });
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
          <button type="button" className="secondary" disabled={busy !== null}
            onClick={() => void run("Resolve", async () => (await realtime.request("resolve", { conversation_id })).conversation)}>
            Resolve
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
  const [agents, setAgents] = useState<Agent[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let alive = true;
    listUsers()
      .then((users) => {
        if (!alive) return;
        setAgents(
          users.items
            .filter((u) => u.is_active)
            .map((u) => ({ id: String(u.id), name: u.name || u.email, presence: u.presence })),
        );
      })
      .catch((exc: unknown) => alive && setError(errorText(exc)));
    return () => {
      alive = false;
    };
  }, []);
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

function VisitorPanel({ c }: { c: Conversation }) {
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
      </dl>
    </aside>
  );
}
