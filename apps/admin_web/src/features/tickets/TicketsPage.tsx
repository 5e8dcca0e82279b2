// The Tickets view: requests answered by email. A filtered, searchable list beside the selected
// ticket's thread with an email-style composer; assign, resolve and reopen. A customer's email
// reply reopens a resolved ticket by itself (the server does it; the list follows its hint).
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useNavigate, useParams } from "react-router";
import { errorText } from "../../api/client";
import { useSession } from "../../app/Shell";
import { Badge, Button, EmptyState, ErrorText, Select, toast } from "../../ui";
import { useSlashPicker } from "../canned/useSlashPicker";
import { tickets, ticketKeys, type Ticket, type TicketDetail, type TicketFilters } from "./api";
import "./tickets.css";

const STATUS_OPTIONS = [
  { value: "open,pending", label: "Open and pending" },
  { value: "open", label: "Open" },
  { value: "pending", label: "Pending" },
  { value: "resolved", label: "Resolved" },
  { value: "", label: "All" },
];
const ASSIGNEE_OPTIONS = [
  { value: "", label: "Anyone" },
  { value: "me", label: "Mine" },
  { value: "none", label: "Unassigned" },
];

function tone(status: string): "success" | "warning" | "muted" {
  return status === "open" ? "warning" : status === "pending" ? "muted" : "success";
}

export function TicketsPage() {
  const { id } = useParams();
  const navigate = useNavigate();
  const [status, setStatus] = useState("open,pending");
  const [assignee, setAssignee] = useState("");
  const [search, setSearch] = useState("");
  const [filters, setFilters] = useState<TicketFilters>({ status: "open,pending" });
  useEffect(() => {
    const timer = window.setTimeout(() => {
      const next: TicketFilters = {};
      if (status) next.status = status;
      if (assignee) next.assignee = assignee;
      if (search.trim()) next.q = search.trim();
      setFilters(next);
    }, 250);
    return () => window.clearTimeout(timer);
  }, [status, assignee, search]);
  const list = useQuery({ queryKey: ticketKeys.list(filters), queryFn: () => tickets.list({ ...filters, limit: 100 }) });
  const items = list.data?.items ?? [];
  return (
    <div className="tickets-layout">
      <aside className="tickets-list" aria-label="Tickets">
        <div className="tickets-filters">
          <input
            type="search"
            aria-label="Search tickets"
            placeholder="Search subject, requester or #number"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
          />
          <Select aria-label="Status" value={status} options={STATUS_OPTIONS} onChange={setStatus} />
          <Select aria-label="Assignee" value={assignee} options={ASSIGNEE_OPTIONS} onChange={setAssignee} />
        </div>
        {list.error ? <ErrorText error={list.error} /> : null}
        {!list.isPending && items.length === 0 ? <EmptyState title="No tickets">Nothing matches these filters.</EmptyState> : null}
        <ul className="tickets-items">
          {items.map((t: Ticket) => (
            <li key={t.id}>
              <button
                type="button"
                className={`ticket-row${t.id === id ? " selected" : ""}`}
                data-testid="ticket-row"
                aria-current={t.id === id ? "true" : undefined}
                onClick={() => navigate(`/tickets/${t.id}`)}
              >
                <span className="ticket-row-top">
                  <strong>#{t.number}</strong> <Badge tone={tone(t.status)}>{t.status}</Badge>
                </span>
                <span className="ticket-subject">{t.subject}</span>
                <span className="muted small">{t.requester_name || t.requester_email}</span>
              </button>
            </li>
          ))}
        </ul>
      </aside>
      <main className="ticket-pane" id="main" tabIndex={-1}>
        {id ? <TicketThread id={id} /> : <EmptyState title="Select a ticket">Its email thread opens here.</EmptyState>}
      </main>
    </div>
  );
}

function TicketThread({ id }: { id: string }) {
  const session = useSession();
  const client = useQueryClient();
  const detail = useQuery({ queryKey: ticketKeys.detail(id), queryFn: () => tickets.get(id) });
  const [draft, setDraft] = useState("");
  const [clientId, setClientId] = useState(() => crypto.randomUUID());
  // canned responses: `/` at the start opens the picker, rendered for this ticket's requester
  const picker = useSlashPicker(draft, detail.data?.conversation_id ?? "", setDraft);
  const refresh = (t?: TicketDetail) => {
    if (t) client.setQueryData(ticketKeys.detail(id), t);
    void client.invalidateQueries({ queryKey: ticketKeys.all });
  };
  const reply = useMutation({
    mutationFn: () => tickets.reply(id, draft, clientId),
    onSuccess: (t) => {
      setDraft("");
      setClientId(crypto.randomUUID());
      refresh(t);
      toast("Reply sent by email.");
    },
  });
  const act = useMutation({
    mutationFn: async (what: "resolve" | "reopen" | "assign_me" | "unassign") => {
      if (what === "resolve") return tickets.resolve(id);
      if (what === "reopen") return tickets.reopen(id);
      return tickets.assign(id, what === "assign_me" ? session.user.id : null);
    },
    onSuccess: () => refresh(),
    onError: (exc) => toast(errorText(exc), "error"),
  });
  if (detail.isPending) return <p className="muted">Loading…</p>;
  if (detail.error) return <ErrorText error={detail.error} />;
  const t = detail.data;
  const mine = t.assignee_id === session.user.id;
  const canReply = session.permissions.includes("tickets:reply");
  return (
    <article className="ticket-thread" aria-labelledby="ticket-title">
      <header className="ticket-head">
        <div>
          <h1 id="ticket-title">
            #{t.number} {t.subject}
          </h1>
          <p className="muted">
            From {t.requester_name ? `${t.requester_name} <${t.requester_email}>` : t.requester_email} ·{" "}
            <Badge tone={tone(t.status)}>
              <span data-testid="ticket-status">{t.status}</span>
            </Badge>{" "}
            · {t.assignee_id ? (mine ? "assigned to you" : "assigned") : "unassigned"}
          </p>
        </div>
        {canReply ? (
          <div className="ticket-actions">
            {mine ? (
              <Button variant="secondary" onClick={() => act.mutate("unassign")} disabled={act.isPending}>
                Unassign
              </Button>
            ) : (
              <Button variant="secondary" onClick={() => act.mutate("assign_me")} disabled={act.isPending}>
                Assign to me
              </Button>
            )}
            {t.status === "resolved" ? (
              <Button variant="secondary" onClick={() => act.mutate("reopen")} disabled={act.isPending}>
                Reopen
              </Button>
            ) : (
              <Button variant="primary" onClick={() => act.mutate("resolve")} disabled={act.isPending}>
                Resolve
              </Button>
            )}
          </div>
        ) : null}
      </header>
      <ol className="ticket-messages" aria-label="Thread">
        {t.messages
          .filter((m) => m.sender !== "system")
          .map((m) => (
            <li key={m.id} className={`ticket-message ${m.sender}`} data-sender={m.sender}>
              <div className="ticket-message-head">
                <strong>{m.sender === "visitor" ? t.requester_name || t.requester_email : m.author?.name || "Agent"}</strong>
                <time className="muted small" dateTime={m.created_at}>
                  {new Date(m.created_at).toLocaleString()}
                </time>
              </div>
              <div className="ticket-message-body">{m.text}</div>
            </li>
          ))}
      </ol>
      {canReply ? (
        <form
          className="ticket-composer"
          onSubmit={(e) => {
            e.preventDefault();
            if (draft.trim()) reply.mutate();
          }}
        >
          <div className="muted small">
            To: {t.requester_email} · Subject: Re: [#{t.number}] {t.subject}
          </div>
          {picker.element}
          <textarea
            {...picker.inputProps}
            aria-label="Reply by email"
            rows={6}
            maxLength={10000}
            value={draft}
            placeholder="Write your reply; it is emailed to the requester. / for canned responses"
            onChange={(e) => setDraft(e.target.value)}
            onKeyDown={(e) => {
              if (picker.onKeyDown(e)) return;
              if (e.key === "Enter" && (e.metaKey || e.ctrlKey) && draft.trim()) reply.mutate();
            }}
          />
          {reply.error ? <ErrorText error={reply.error} /> : null}
          <div className="ticket-composer-actions">
            <Button variant="primary" type="submit" disabled={!draft.trim() || reply.isPending}>
              {reply.isPending ? "Sending…" : "Send reply"}
            </Button>
          </div>
        </form>
      ) : null}
    </article>
  );
}
