import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { logs, providers, type CheckResult, type LogSummary, type Provider, type ProviderIn } from "../../api/admin";
import { keys } from "../../api/queries";
import { Badge, Button, Checkbox, Dialog, EmptyState, ErrorText, Field, Page, Section, Select, Table, useAction, type Column, type Tone } from "../../ui";

export const KINDS = [
  { value: "openai", label: "OpenAI (or compatible: Azure, Ollama, vLLM)" },
  { value: "anthropic", label: "Anthropic" },
  { value: "gemini", label: "Google Gemini" },
  { value: "builtin", label: "Built-in knowledge-base responder" },
] as const;

const HEALTH: Record<string, { label: string; tone: Tone }> = {
  closed: { label: "Healthy", tone: "success" },
  half_open: { label: "Recovering", tone: "warning" },
  open: { label: "Failing (paused)", tone: "danger" },
};

function Health({ state, error }: { state: string; error: string | null }) {
  const h = HEALTH[state] ?? { label: state, tone: "neutral" as Tone };
  return (
    <span className="health">
      <Badge tone={h.tone}>{h.label}</Badge>
      {error && <span className="muted small"> {error}</span>}
    </span>
  );
}

/** The new priorities after moving one provider up or down: 10, 20, 30… in the new order. */
export function reorder(list: readonly Provider[], id: string, delta: -1 | 1): { id: string; priority: number }[] {
  const order = [...list];
  const i = order.findIndex((p) => p.id === id);
  const j = i + delta;
  if (i < 0 || j < 0 || j >= order.length) return [];
  [order[i], order[j]] = [order[j]!, order[i]!];
  return order.map((p, index) => ({ id: p.id, priority: (index + 1) * 10 })).filter((x, index) => order[index]!.priority !== x.priority);
}

/** Replies, failures and latency per provider over the last day, from the AI answer log. */
export function usage(summary: LogSummary | undefined, name: string): { replies: number; failed: number; firstTokenMs: number | null } | null {
  const rows = (summary?.rows ?? []).filter((r) => r.provider_name === name);
  if (!rows.length) return null;
  const replies = rows.reduce((n, r) => n + r.replies, 0);
  const failed = rows.reduce((n, r) => n + r.failed, 0);
  const timed = rows.filter((r) => r.avg_first_token_ms !== null);
  const weight = timed.reduce((n, r) => n + r.replies, 0);
  const firstTokenMs = weight ? Math.round(timed.reduce((n, r) => n + (r.avg_first_token_ms ?? 0) * r.replies, 0) / weight) : null;
  return { replies, failed, firstTokenMs };
}

export function ProvidersPage() {
  const client = useQueryClient();
  const [since] = useState(() => new Date(Date.now() - 24 * 3600_000).toISOString());
  const summary = useQuery({ queryKey: [...keys.logSummary, since], queryFn: () => logs.summary(since), refetchInterval: 30_000 });
  const list = useQuery({ queryKey: keys.providers, queryFn: providers.list });
  const fleet = useQuery({ queryKey: keys.fleet, queryFn: providers.fleet, refetchInterval: 15_000 });
  const [editing, setEditing] = useState<Provider | "new" | null>(null);
  const [deleting, setDeleting] = useState<Provider | null>(null);
  const [checks, setChecks] = useState<Record<string, CheckResult>>({});
  const invalidate = [keys.providers, keys.fleet];
  const move = useAction(
    async ({ id, delta }: { id: string; delta: -1 | 1 }) => {
      for (const change of reorder(list.data?.items ?? [], id, delta)) await providers.update(change.id, { priority: change.priority });
    },
    { invalidate, done: "Priority saved: the fleet tries providers in this order." },
  );
  const toggle = useAction((p: Provider) => providers.update(p.id, { enabled: !p.enabled }), {
    invalidate,
    done: (p) => `${p.name} ${p.enabled ? "enabled" : "disabled"}.`,
  });
  // the sample answer so far, per provider, while its test streams in
  const [streaming, setStreaming] = useState<Record<string, string>>({});
  const check = useAction(
    async (p: Provider) => {
      setStreaming((s) => ({ ...s, [p.id]: "" }));
      try {
        return await providers.sample(p.id, (text) => setStreaming((s) => ({ ...s, [p.id]: (s[p.id] ?? "") + text })));
      } finally {
        setStreaming(({ [p.id]: _, ...rest }) => rest);
      }
    },
    {
      invalidate,
      onDone: (result, p) => setChecks((c) => ({ ...c, [p.id]: result })),
    },
  );
  const items = list.data?.items ?? [];

  const columns: Column<Provider>[] = [
    { key: "order", header: "#", cell: (p) => items.indexOf(p) + 1 },
    {
      key: "name",
      header: "Provider",
      cell: (p) => (
        <>
          <strong>{p.name}</strong>
          <div className="muted small">
            {p.kind} · {p.model}
            {p.base_url ? ` · ${p.base_url}` : ""}
          </div>
        </>
      ),
    },
    { key: "key", header: "API key", cell: (p) => (p.has_api_key ? <Badge tone="success">Stored</Badge> : <Badge tone="muted">None</Badge>) },
    { key: "enabled", header: "Enabled", cell: (p) => (p.enabled ? <Badge tone="success">On</Badge> : <Badge tone="muted">Off</Badge>) },
    { key: "health", header: "Health", cell: (p) => <Health state={p.health.state} error={p.health.last_error} /> },
    {
      key: "usage",
      header: "Last 24 h",
      cell: (p) => {
        const u = usage(summary.data, p.name);
        if (!u) return <span className="muted small">no replies</span>;
        const rate = u.replies ? Math.round((100 * u.failed) / u.replies) : 0;
        return (
          <span className="small">
            {u.replies} replies · {rate}% failed
            {u.firstTokenMs !== null && <div className="muted">first token {u.firstTokenMs} ms on average</div>}
          </span>
        );
      },
    },
    {
      key: "test",
      header: "Last test",
      cell: (p) => {
        const partial = streaming[p.id];
        if (partial !== undefined) {
          return (
            <div data-testid={`sample-${p.id}`} className="check-result" aria-live="polite" aria-busy="true">
              <Badge tone="info">Answering…</Badge>
              <div className="small">{partial ? `“${partial}”` : <span className="muted">waiting for the first words…</span>}</div>
            </div>
          );
        }
        const r = checks[p.id];
        if (!r) return <span className="muted">—</span>;
        return (
          <div data-testid={`check-${p.id}`} className="check-result">
            {r.ok ? <Badge tone="success">OK</Badge> : <Badge tone="danger">Failed</Badge>}{" "}
            <span className="muted small">
              first token {r.first_token_ms ?? "—"} ms · {r.total_ms} ms
            </span>
            <div className="small">{r.ok ? `“${r.reply}”` : r.error}</div>
          </div>
        );
      },
    },
    {
      key: "actions",
      header: "Actions",
      actions: true,
      cell: (p) => {
        const i = items.indexOf(p);
        return (
          <>
            <Button small aria-label={`Move ${p.name} up`} disabled={i === 0 || move.isPending} onClick={() => move.mutate({ id: p.id, delta: -1 })}>
              ↑
            </Button>
            <Button small aria-label={`Move ${p.name} down`} disabled={i === items.length - 1 || move.isPending} onClick={() => move.mutate({ id: p.id, delta: 1 })}>
              ↓
            </Button>
            <Button small aria-label={`Test ${p.name}`} busy={check.isPending && check.variables?.id === p.id ? "Testing…" : false} onClick={() => check.mutate(p)}>
              Test
            </Button>
            <Button small aria-label={`${p.enabled ? "Disable" : "Enable"} ${p.name}`} onClick={() => toggle.mutate(p)}>
              {p.enabled ? "Disable" : "Enable"}
            </Button>
            <Button small aria-label={`Edit ${p.name}`} onClick={() => setEditing(p)}>
              Edit
            </Button>
            <Button small variant="danger" aria-label={`Delete ${p.name}`} onClick={() => setDeleting(p)}>
              Delete
            </Button>
          </>
        );
      },
    },
  ];

  return (
    <Page
      title="AI providers"
      description="The fleet answers visitors: it tries enabled providers top to bottom, skips one whose breaker is open, and falls back to the built-in knowledge-base responder. Keys are write-only and stored encrypted."
      actions={
        <Button variant="primary" onClick={() => setEditing("new")}>
          Add provider
        </Button>
      }
    >
      <ErrorText error={list.error} prefix="Could not load providers" />
      <ErrorText error={move.error ?? toggle.error ?? check.error} />
      {list.data &&
        (items.length === 0 ? (
          <EmptyState title="No providers configured">
            Visitors get answers from the built-in knowledge-base responder (and any provider set in the environment).
          </EmptyState>
        ) : (
          <Table caption="AI providers" columns={columns} rows={items} rowKey={(p) => p.id} />
        ))}
      <Section title="Fleet as the next reply uses it">
        <ErrorText error={fleet.error} />
        {fleet.data && (
          <ol className="fleet" aria-label="Fleet order">
            {fleet.data.members.map((m) => (
              <li key={`${m.source}-${m.provider_id ?? m.name}`}>
                <strong>{m.name}</strong> <span className="muted small">({m.kind} · {m.model} · {m.source === "db" ? "configured here" : m.source === "env" ? "from the environment" : "built-in"})</span>{" "}
                {m.usable ? <Health state={m.health.state} error={m.health.last_error} /> : <Badge tone="muted">Not usable</Badge>}
              </li>
            ))}
          </ol>
        )}
      </Section>
      <Dialog open={editing !== null} title={editing === "new" ? "Add provider" : "Edit provider"} onClose={() => setEditing(null)}>
        {editing !== null && (
          <ProviderForm
            provider={editing === "new" ? null : editing}
            nextPriority={(items.length + 1) * 10}
            onDone={() => {
              setEditing(null);
              void client.invalidateQueries({ queryKey: keys.fleet });
            }}
          />
        )}
      </Dialog>
      <Dialog open={deleting !== null} title="Delete provider" onClose={() => setDeleting(null)}>
        {deleting && <DeleteProvider provider={deleting} onDone={() => setDeleting(null)} />}
      </Dialog>
    </Page>
  );
}

function num(value: string): number {
  return value.trim() === "" ? NaN : Number(value);
}

function ProviderForm({ provider, nextPriority, onDone }: { provider: Provider | null; nextPriority: number; onDone: () => void }) {
  const [kind, setKind] = useState(provider?.kind ?? "openai");
  const [name, setName] = useState(provider?.name ?? "");
  const [model, setModel] = useState(provider?.model ?? "");
  const [baseUrl, setBaseUrl] = useState(provider?.base_url ?? "");
  const [apiKey, setApiKey] = useState("");
  const [removeKey, setRemoveKey] = useState(false);
  const [priority, setPriority] = useState(String(provider?.priority ?? nextPriority));
  const [enabled, setEnabled] = useState(provider?.enabled ?? true);
  // absent on a new provider: the server's default for its kind (see docs/ai.md "Vision")
  const [vision, setVision] = useState<boolean | null>(provider ? provider.vision : null);
  const [timeout, setTimeoutValue] = useState(String(provider?.timeout_seconds ?? 60));
  const [firstToken, setFirstToken] = useState(String(provider?.first_token_seconds ?? 10));
  const [tried, setTried] = useState(false);
  const save = useAction(
    (body: ProviderIn) => {
      if (!provider) return providers.create(body);
      const { kind: _kind, api_key, model: newModel, vision: newVision, ...rest } = body;
      void _kind;
      return providers.update(provider.id, {
        ...rest,
        ...(typeof newVision === "boolean" ? { vision: newVision } : {}),
        ...(newModel ? { model: newModel } : {}),
        ...(removeKey ? { api_key: null } : api_key ? { api_key } : {}),
      });
    },
    { invalidate: [keys.providers, keys.fleet], done: provider ? "Provider saved." : "Provider added.", onDone },
  );
  const errors = {
    name: name.trim() ? null : "Give it a name agents will recognise in the logs.",
    base_url: baseUrl.trim() && !/^https?:\/\//.test(baseUrl.trim()) ? "A URL starting with http:// or https://." : null,
    priority: Number.isInteger(num(priority)) && num(priority) >= 0 && num(priority) <= 10000 ? null : "A whole number from 0 to 10000.",
    timeout: num(timeout) > 0 ? null : "More than 0 seconds.",
    first_token: num(firstToken) > 0 ? null : "More than 0 seconds.",
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (Object.values(errors).some(Boolean)) return;
    save.mutate({
      kind,
      name: name.trim(),
      model: model.trim() || null,
      base_url: baseUrl.trim() || null,
      api_key: apiKey || null,
      priority: num(priority),
      enabled,
      use_tools: provider?.use_tools ?? true,
      ...(vision === null ? {} : { vision }),
      timeout_seconds: num(timeout),
      first_token_seconds: num(firstToken),
      max_retries: provider?.max_retries ?? 1,
      failure_threshold: provider?.failure_threshold ?? 3,
      cooldown_seconds: provider?.cooldown_seconds ?? 30,
    });
  };
  const e = (k: keyof typeof errors) => (tried ? errors[k] : null);
  return (
    <form className="ui-form" onSubmit={submit} noValidate>
      <div className="ui-form-row">
        <Field label="Kind" hint={provider ? "The kind cannot change; add a new provider instead." : undefined}>
          {(p) => <Select {...p} value={kind} options={KINDS} onChange={setKind} disabled={!!provider} />}
        </Field>
        <Field label="Name" error={e("name")}>
          {(p) => <input {...p} maxLength={80} value={name} onChange={(ev) => setName(ev.target.value)} />}
        </Field>
      </div>
      <div className="ui-form-row">
        <Field label="Model" hint="Empty: the kind's default model.">
          {(p) => <input {...p} maxLength={120} value={model} onChange={(ev) => setModel(ev.target.value)} />}
        </Field>
        <Field label="Base URL" hint="Only for compatible endpoints and proxies." error={e("base_url")}>
          {(p) => <input {...p} maxLength={500} value={baseUrl} onChange={(ev) => setBaseUrl(ev.target.value)} />}
        </Field>
      </div>
      {kind !== "builtin" && (
        <Field
          label="API key"
          hint={provider?.has_api_key ? "A key is stored. Leave empty to keep it; it is never shown." : "Stored encrypted; never shown again."}
        >
          {(p) => (
            <input {...p} type="password" autoComplete="off" value={apiKey} disabled={removeKey} onChange={(ev) => setApiKey(ev.target.value)} />
          )}
        </Field>
      )}
      {provider?.has_api_key && <Checkbox label="Remove the stored key" checked={removeKey} onChange={setRemoveKey} />}
      <div className="ui-form-row">
        <Field label="Priority" hint="Lower goes first." error={e("priority")}>
          {(p) => <input {...p} inputMode="numeric" value={priority} onChange={(ev) => setPriority(ev.target.value)} />}
        </Field>
        <Field label="Timeout (s)" error={e("timeout")}>
          {(p) => <input {...p} inputMode="decimal" value={timeout} onChange={(ev) => setTimeoutValue(ev.target.value)} />}
        </Field>
        <Field label="First token within (s)" hint="Fails over when no word arrives in time." error={e("first_token")}>
          {(p) => <input {...p} inputMode="decimal" value={firstToken} onChange={(ev) => setFirstToken(ev.target.value)} />}
        </Field>
      </div>
      {kind !== "builtin" && (
        <Checkbox
          label="Accepts images (vision)"
          hint="Messages with images skip providers that cannot see them. Default: on for OpenAI, Anthropic and Gemini; off with an OpenAI-compatible base URL."
          checked={vision ?? (kind !== "openai" || baseUrl.trim() === "")}
          onChange={setVision}
        />
      )}
      <Checkbox label="Enabled" checked={enabled} onChange={setEnabled} />
      <ErrorText error={save.error} />
      <div className="ui-form-actions">
        <Button type="submit" variant="primary" busy={save.isPending ? "Saving…" : false}>
          {provider ? "Save provider" : "Add provider"}
        </Button>
      </div>
    </form>
  );
}

function DeleteProvider({ provider, onDone }: { provider: Provider; onDone: () => void }) {
  const remove = useAction(() => providers.remove(provider.id), {
    invalidate: [keys.providers, keys.fleet],
    done: `${provider.name} was deleted.`,
    onDone,
  });
  return (
    <div className="ui-form">
      <p>
        Delete <strong>{provider.name}</strong> and its stored key? The fleet stops using it at once.
      </p>
      <ErrorText error={remove.error} />
      <div className="ui-form-actions">
        <Button variant="danger" busy={remove.isPending ? "Deleting…" : false} onClick={() => remove.mutate(undefined)}>
          Delete provider
        </Button>
        <Button onClick={onDone}>Cancel</Button>
      </div>
    </div>
  );
}
