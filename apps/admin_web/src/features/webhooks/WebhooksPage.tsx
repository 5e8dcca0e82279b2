// The webhooks console page: subscriptions (create, edit, switch on/off, delete; the signing
// secret is shown once) and each webhook's delivery log with Redeliver.
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Badge, Button, Checkbox, Dialog, EmptyState, ErrorText, Field, Page, Section, Table, toast, useAction, type Column, type Tone } from "../../ui";
import { WEBHOOK_EVENTS, webhookKeys, webhooks, type Delivery, type Webhook } from "./api";
import "./webhooks.css";

const when = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString() : "—");

function Status({ w }: { w: Webhook }) {
  if (w.active) return <Badge tone="success">Active</Badge>;
  return (
    <Badge tone={w.disabled_reason ? "danger" : "muted"} title={w.disabled_reason ?? undefined}>
      {w.disabled_reason ? "Switched off after failures" : "Disabled"}
    </Badge>
  );
}

export function WebhooksPage() {
  const list = useQuery({ queryKey: webhookKeys.all, queryFn: webhooks.list });
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<Webhook | null>(null);
  const [editing, setEditing] = useState<Webhook | null>(null);
  const [deleting, setDeleting] = useState<Webhook | null>(null);
  const [logOf, setLogOf] = useState<string | null>(null);
  const toggle = useAction(webhooks.update, {
    invalidate: [webhookKeys.all],
    done: (w) => (w.active ? `${w.url} is on.` : `${w.url} is off.`),
  });
  const columns: Column<Webhook>[] = [
    {
      key: "url",
      header: "Endpoint",
      cell: (w) => (
        <span className="webhook-url">
          <code>{w.url}</code>
          {w.description && <span className="small muted">{w.description}</span>}
        </span>
      ),
    },
    { key: "events", header: "Events", cell: (w) => <span className="small">{w.events.join(", ")}</span> },
    { key: "status", header: "Status", cell: (w) => <Status w={w} /> },
    { key: "failures", header: "Failures in a row", cell: (w) => w.consecutive_failures },
    {
      key: "actions",
      header: "Actions",
      actions: true,
      cell: (w) => (
        <>
          <Button small onClick={() => setLogOf(w.id)} aria-label={`Deliveries of ${w.url}`} aria-pressed={logOf === w.id}>
            Deliveries
          </Button>
          <Button small onClick={() => setEditing(w)} aria-label={`Edit ${w.url}`}>
            Edit
          </Button>
          <Button
            small
            onClick={() => toggle.mutate({ id: w.id, body: { active: !w.active } })}
            aria-label={`${w.active ? "Disable" : "Enable"} ${w.url}`}
            disabled={toggle.isPending}
          >
            {w.active ? "Disable" : "Enable"}
          </Button>
          <Button
            small
            variant="danger"
            onClick={() => {
              if (logOf === w.id) setLogOf(null); // its log goes with it
              setDeleting(w);
            }}
            aria-label={`Delete ${w.url}`}
          >
            Delete
          </Button>
        </>
      ),
    },
  ];
  const selected = list.data?.items.find((w) => w.id === logOf) ?? null;
  return (
    <Page
      title="Webhooks"
      description="Baton POSTs signed events to your endpoints (X-Baton-Signature: HMAC-SHA256 of “timestamp.body” with the webhook's secret), retrying with backoff for up to a day."
      actions={
        <Button variant="primary" onClick={() => setCreating(true)}>
          New webhook
        </Button>
      }
    >
      <ErrorText error={list.error} prefix="Could not load webhooks" />
      <ErrorText error={toggle.error} />
      {list.data &&
        (list.data.items.length === 0 ? (
          <EmptyState title="No webhooks yet">Add an endpoint to receive conversation, ticket and CSAT events.</EmptyState>
        ) : (
          <Table caption="Webhooks" columns={columns} rows={list.data.items} rowKey={(w) => w.id} />
        ))}
      {selected && <DeliveryLog webhook={selected} />}
      <Dialog open={creating} title="New webhook" onClose={() => setCreating(false)}>
        <WebhookForm
          onSaved={(w) => {
            setCreating(false);
            setSecret(w);
            setLogOf(w.id);
          }}
        />
      </Dialog>
      <Dialog open={secret !== null} title="Copy the signing secret" onClose={() => setSecret(null)}>
        {secret && <ShowSecret webhook={secret} onDone={() => setSecret(null)} />}
      </Dialog>
      <Dialog open={editing !== null} title="Edit webhook" onClose={() => setEditing(null)}>
        {editing && <WebhookForm webhook={editing} onSaved={() => setEditing(null)} />}
      </Dialog>
      <Dialog open={deleting !== null} title="Delete webhook" onClose={() => setDeleting(null)}>
        {deleting && (
          <DeleteWebhook
            webhook={deleting}
            onDone={() => setDeleting(null)}
          />
        )}
      </Dialog>
    </Page>
  );
}

function WebhookForm({ webhook, onSaved }: { webhook?: Webhook; onSaved: (w: Webhook) => void }) {
  const [url, setUrl] = useState(webhook?.url ?? "");
  const [description, setDescription] = useState(webhook?.description ?? "");
  const [events, setEvents] = useState<string[]>(webhook?.events ?? []);
  const [active, setActive] = useState(webhook?.active ?? true);
  const [tried, setTried] = useState(false);
  const save = useAction(
    (body: { url: string; events: string[]; active: boolean; description: string | null }) =>
      webhook ? webhooks.update({ id: webhook.id, body }) : webhooks.create(body),
    { invalidate: [webhookKeys.all], done: webhook ? "Webhook saved." : undefined, onDone: onSaved },
  );
  const allTickets = events.includes("ticket.*");
  const errors = {
    url: /^https?:\/\/\S+$/i.test(url.trim()) ? null : "Enter the endpoint's address, starting with https:// (or http://).",
    events: events.length ? null : "Choose at least one event.",
  };
  const flip = (name: string, on: boolean) => setEvents((list) => (on ? [...list.filter((e) => e !== name), name] : list.filter((e) => e !== name)));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (errors.url || errors.events) return;
    save.mutate({ url: url.trim(), events: [...events].sort(), active, description: description.trim() || null });
  };
  return (
    <form className="ui-form" onSubmit={submit} noValidate>
      <Field label="Endpoint URL" error={tried ? errors.url : null} hint="Public addresses only; private and loopback targets are refused unless allowed by the operator.">
        {(p) => <input {...p} type="url" inputMode="url" maxLength={2048} value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://example.com/baton-hook" />}
      </Field>
      <Field label="Description (optional)">
        {(p) => <input {...p} maxLength={200} value={description} onChange={(e) => setDescription(e.target.value)} />}
      </Field>
      <fieldset className="webhook-events" aria-describedby={tried && errors.events ? "webhook-events-error" : undefined}>
        <legend>Events</legend>
        {WEBHOOK_EVENTS.map((name) => {
          const covered = allTickets && name.startsWith("ticket.");
          return (
            <Checkbox key={name} label={<code>{name}</code>} checked={covered || events.includes(name)} onChange={(on) => !covered && flip(name, on)} />
          );
        })}
        <Checkbox
          label={
            <>
              <code>ticket.*</code> (every ticket event, also future ones)
            </>
          }
          checked={allTickets}
          onChange={(on) => setEvents((list) => (on ? [...list.filter((e) => !e.startsWith("ticket.")), "ticket.*"] : list.filter((e) => e !== "ticket.*")))}
        />
      </fieldset>
      {tried && errors.events && (
        <p className="ui-field-error" role="alert" id="webhook-events-error">
          {errors.events}
        </p>
      )}
      <Checkbox label="Active (send events now)" checked={active} onChange={setActive} />
      <ErrorText error={save.error} />
      <div className="ui-form-actions">
        <Button type="submit" variant="primary" busy={save.isPending ? "Saving…" : false}>
          {webhook ? "Save webhook" : "Create webhook"}
        </Button>
      </div>
    </form>
  );
}

function ShowSecret({ webhook, onDone }: { webhook: Webhook; onDone: () => void }) {
  const value = webhook.secret ?? "";
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      toast("Secret copied.");
    } catch {
      toast("Select the secret and copy it by hand.", "error");
    }
  };
  return (
    <div className="ui-form">
      <p className="ui-alert ui-alert-success">
        This is the only time the signing secret for <code>{webhook.url}</code> is shown. Keep it with your endpoint to verify{" "}
        <code>X-Baton-Signature</code>.
      </p>
      <Field label="Signing secret">{(p) => <input {...p} readOnly value={value} className="mono" onFocus={(e) => e.target.select()} />}</Field>
      <div className="ui-form-actions">
        <Button variant="primary" onClick={() => void copy()}>
          Copy secret
        </Button>
        <Button onClick={onDone}>Done</Button>
      </div>
    </div>
  );
}

function DeleteWebhook({ webhook, onDone }: { webhook: Webhook; onDone: () => void }) {
  const remove = useAction(() => webhooks.remove(webhook.id), { invalidate: [webhookKeys.all], done: "Webhook deleted.", onDone });
  return (
    <div className="ui-form">
      <p>
        Delete the webhook to <code>{webhook.url}</code>? Nothing more is sent to it, and its delivery log goes with it.
      </p>
      <ErrorText error={remove.error} />
      <div className="ui-form-actions">
        <Button variant="danger" busy={remove.isPending ? "Deleting…" : false} onClick={() => remove.mutate(undefined)}>
          Delete webhook
        </Button>
        <Button onClick={onDone}>Cancel</Button>
      </div>
    </div>
  );
}

const DELIVERY_TONE: Record<string, Tone> = { delivered: "success", failed: "danger", queued: "info", sending: "warning" };

function DeliveryLog({ webhook }: { webhook: Webhook }) {
  const log = useInfiniteQuery({
    queryKey: webhookKeys.deliveries(webhook.id),
    queryFn: ({ pageParam }) => webhooks.deliveries(webhook.id, pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.next_cursor ?? undefined,
    refetchInterval: 5_000, // attempts land in the worker; the log follows them
  });
  const [open, setOpen] = useState<Delivery | null>(null);
  const redeliver = useAction(webhooks.redeliver, {
    invalidate: [webhookKeys.deliveries(webhook.id)],
    done: "Queued again as a new delivery.",
  });
  const rows = log.data?.pages.flatMap((p) => p.items) ?? [];
  const columns: Column<Delivery>[] = [
    { key: "event", header: "Event", cell: (d) => <code>{d.event}</code> },
    { key: "status", header: "Status", cell: (d) => <Badge tone={DELIVERY_TONE[d.status] ?? "neutral"}>{d.status}</Badge> },
    { key: "attempts", header: "Attempts", cell: (d) => d.attempts },
    { key: "response", header: "Response", cell: (d) => (d.last_status_code ? `HTTP ${d.last_status_code}` : d.last_error ? <span className="small">{d.last_error}</span> : "—") },
    { key: "timing", header: "Time", cell: (d) => (d.last_duration_ms !== null && d.last_duration_ms !== undefined ? `${d.last_duration_ms} ms` : "—") },
    { key: "created", header: "Created", cell: (d) => when(d.created_at) },
    { key: "next", header: "Next attempt", cell: (d) => when(d.next_attempt_at) },
    {
      key: "actions",
      header: "Actions",
      actions: true,
      cell: (d) => (
        <>
          <Button small onClick={() => setOpen(d)} aria-label={`Details of delivery ${d.id}`}>
            Details
          </Button>
          <Button small onClick={() => redeliver.mutate(d.id)} disabled={redeliver.isPending} aria-label={`Redeliver ${d.id}`}>
            Redeliver
          </Button>
        </>
      ),
    },
  ];
  return (
    <Section title={`Deliveries to ${webhook.url}`}>
      <ErrorText error={log.error} prefix="Could not load deliveries" />
      <ErrorText error={redeliver.error} />
      {log.data &&
        (rows.length === 0 ? (
          <EmptyState title="No deliveries yet">Events this webhook subscribes to appear here as they are sent.</EmptyState>
        ) : (
          <Table
            caption={`Deliveries to ${webhook.url}`}
            columns={columns}
            rows={rows}
            rowKey={(d) => d.id}
            hasMore={log.hasNextPage}
            loadingMore={log.isFetchingNextPage}
            onLoadMore={() => void log.fetchNextPage()}
          />
        ))}
      <Dialog open={open !== null} title="Delivery" onClose={() => setOpen(null)}>
        {open && (
          <div className="ui-form delivery-detail">
            <dl>
              <dt>Delivery id</dt>
              <dd>
                <code>{open.id}</code>
              </dd>
              <dt>Status</dt>
              <dd>
                {open.status}, {open.attempts} attempt{open.attempts === 1 ? "" : "s"}
                {open.delivered_at ? `, delivered ${when(open.delivered_at)}` : ""}
              </dd>
              <dt>Last response</dt>
              <dd>
                {open.last_status_code ? `HTTP ${open.last_status_code}` : "none"}
                {open.last_duration_ms !== null && open.last_duration_ms !== undefined ? ` in ${open.last_duration_ms} ms` : ""}
                {open.last_error ? ` — ${open.last_error}` : ""}
              </dd>
            </dl>
            {open.last_response && (
              <Field label="Response body">{(p) => <textarea {...p} readOnly rows={4} className="mono" value={open.last_response ?? ""} />}</Field>
            )}
            <Field label="Request body">{(p) => <textarea {...p} readOnly rows={8} className="mono" value={JSON.stringify(open.payload, null, 2)} />}</Field>
          </div>
        )}
      </Dialog>
    </Section>
  );
}
