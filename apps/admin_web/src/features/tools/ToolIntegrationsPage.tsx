// The tool integrations console page (ai:manage): backends that serve the AI's tools. List,
// create, edit (the signing secret is write-only: shown once when Baton makes it, replaceable,
// never read back), switch on/off, delete; and for the one opened, its tools, a signed trial
// call of one of them, and the recent failed calls.
import { useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Badge, Button, Checkbox, Dialog, EmptyState, ErrorText, Field, Page, Section, Select, Table, toast, useAction, type Column } from "../../ui";
import { parseParameters, secretProblem, TOOL_NAME, toolKeys, tools, type DeclaredTool, type Integration, type TrialResult } from "./api";
import "./tools.css";

const when = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString() : "—");
const EXAMPLE_SCHEMA = '{\n  "type": "object",\n  "properties": {"email": {"type": "string"}},\n  "required": ["email"]\n}';

export function ToolIntegrationsPage() {
  const list = useQuery({ queryKey: toolKeys.integrations, queryFn: tools.list });
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<Integration | null>(null);
  const [editing, setEditing] = useState<Integration | null>(null);
  const [deleting, setDeleting] = useState<Integration | null>(null);
  const [openId, setOpenId] = useState<string | null>(null);
  const toggle = useAction(tools.update, {
    invalidate: [toolKeys.integrations, toolKeys.registry],
    done: (i) => (i.enabled ? `${i.name} is on.` : `${i.name} is off.`),
  });
  const columns: Column<Integration>[] = [
    {
      key: "name",
      header: "Integration",
      cell: (i) => (
        <span className="tool-integration-name">
          <strong>{i.name}</strong>
          {i.url ? <code className="small">{i.url}</code> : <span className="small muted">Demo order backend</span>}
        </span>
      ),
    },
    { key: "tools", header: "Tools", cell: (i) => (i.kind === "demo" ? "5 (built in)" : i.tools.length) },
    { key: "timeout", header: "Timeout", cell: (i) => (i.kind === "http" ? `${i.timeout_seconds} s` : "—") },
    { key: "status", header: "Status", cell: (i) => (i.enabled ? <Badge tone="success">On</Badge> : <Badge tone="muted">Off</Badge>) },
    {
      key: "actions",
      header: "Actions",
      actions: true,
      cell: (i) => (
        <>
          <Button small onClick={() => setOpenId(i.id)} aria-label={`Open ${i.name}`} aria-pressed={openId === i.id}>
            Open
          </Button>
          <Button small onClick={() => setEditing(i)} aria-label={`Edit ${i.name}`}>
            Edit
          </Button>
          <Button small onClick={() => toggle.mutate({ id: i.id, body: { enabled: !i.enabled } })} aria-label={`${i.enabled ? "Disable" : "Enable"} ${i.name}`} disabled={toggle.isPending}>
            {i.enabled ? "Disable" : "Enable"}
          </Button>
          <Button
            small
            variant="danger"
            onClick={() => {
              if (openId === i.id) setOpenId(null);
              setDeleting(i);
            }}
            aria-label={`Delete ${i.name}`}
          >
            Delete
          </Button>
        </>
      ),
    },
  ];
  const opened = list.data?.items.find((i) => i.id === openId) ?? null;
  return (
    <Page
      title="Tool integrations"
      description="Backends that serve the AI's tools. Each call is a POST signed like the webhooks (X-Baton-Signature: HMAC-SHA256 of “timestamp.body” with the integration's secret); auto tools run at once, approval tools wait for an agent."
      actions={
        <Button variant="primary" onClick={() => setCreating(true)}>
          New integration
        </Button>
      }
    >
      <ErrorText error={list.error} prefix="Could not load integrations" />
      <ErrorText error={toggle.error} />
      {list.data &&
        (list.data.items.length === 0 ? (
          <EmptyState title="No integrations yet">Add your backend's endpoint and declare the tools it serves (order lookups, refunds…).</EmptyState>
        ) : (
          <Table caption="Tool integrations" columns={columns} rows={list.data.items} rowKey={(i) => i.id} />
        ))}
      {opened && <IntegrationDetail integration={opened} />}
      <Dialog open={creating} title="New integration" onClose={() => setCreating(false)}>
        <IntegrationForm
          onSaved={(i) => {
            setCreating(false);
            setOpenId(i.id);
            if (i.secret) setSecret(i);
          }}
        />
      </Dialog>
      <Dialog open={secret !== null} title="Copy the signing secret" onClose={() => setSecret(null)}>
        {secret && <ShowSecret integration={secret} onDone={() => setSecret(null)} />}
      </Dialog>
      <Dialog open={editing !== null} title={`Edit ${editing?.name ?? "integration"}`} onClose={() => setEditing(null)}>
        {editing && <IntegrationForm integration={editing} onSaved={() => setEditing(null)} />}
      </Dialog>
      <Dialog open={deleting !== null} title="Delete integration" onClose={() => setDeleting(null)}>
        {deleting && <DeleteIntegration integration={deleting} onDone={() => setDeleting(null)} />}
      </Dialog>
    </Page>
  );
}

interface ToolDraft {
  key: number;
  name: string;
  description: string;
  policy: "auto" | "approval";
  parameters: string;
}

let draftKey = 0;
const draftOf = (t?: DeclaredTool): ToolDraft => ({
  key: ++draftKey,
  name: t?.name ?? "",
  description: t?.description ?? "",
  policy: t?.policy === "auto" ? "auto" : "approval",
  parameters: t ? JSON.stringify(t.parameters, null, 2) : EXAMPLE_SCHEMA,
});

function toolErrors(t: ToolDraft, all: ToolDraft[]) {
  const name = !t.name.trim()
    ? "Give the tool a name."
    : !TOOL_NAME.test(t.name.trim())
      ? "A letter, then letters, digits or _ (at most 64)."
      : all.some((o) => o !== t && o.name.trim() === t.name.trim())
        ? "Two tools cannot share a name."
        : null;
  const description = t.description.length > 500 ? "At most 500 characters." : null;
  return { name, description, parameters: parseParameters(t.parameters).error };
}

function IntegrationForm({ integration, onSaved }: { integration?: Integration; onSaved: (i: Integration) => void }) {
  const demo = integration?.kind === "demo";
  const [name, setName] = useState(integration?.name ?? "");
  const [url, setUrl] = useState(integration?.url ?? "");
  const [timeout, setTimeoutText] = useState(String(integration?.timeout_seconds ?? 10));
  const [enabled, setEnabled] = useState(integration?.enabled ?? true);
  const [secret, setSecretText] = useState("");
  const [drafts, setDrafts] = useState<ToolDraft[]>(() => (integration && !demo ? (integration.tools as DeclaredTool[]).map(draftOf) : demo ? [] : [draftOf()]));
  const [tried, setTried] = useState(false);
  const save = useAction(
    (body: Record<string, unknown>) => (integration ? tools.update({ id: integration.id, body }) : tools.create(body as Parameters<typeof tools.create>[0])),
    { invalidate: [toolKeys.integrations, toolKeys.registry], done: integration ? "Integration saved." : "Integration created.", onDone: onSaved },
  );
  const seconds = Number(timeout);
  const errors = {
    name: name.trim() && name.trim().length <= 80 ? null : "Give it a name (at most 80 characters).",
    url: demo || /^https?:\/\/\S+$/i.test(url.trim()) ? null : "Enter the endpoint's address, starting with https:// (or http://).",
    timeout: demo || (Number.isFinite(seconds) && seconds >= 0.5 && seconds <= 60) ? null : "Between 0.5 and 60 seconds.",
    secret: demo ? null : secretProblem(secret),
    tools: demo || drafts.length ? null : "Declare at least one tool.",
  };
  const perTool = drafts.map((t) => toolErrors(t, drafts));
  const invalid = Object.values(errors).some(Boolean) || perTool.some((e) => e.name || e.description || e.parameters);
  const change = (key: number, patch: Partial<ToolDraft>) => setDrafts((list) => list.map((t) => (t.key === key ? { ...t, ...patch } : t)));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (invalid) return;
    const body: Record<string, unknown> = { name: name.trim(), enabled };
    if (!demo) {
      body.url = url.trim();
      body.timeout_seconds = seconds;
      body.tools = drafts.map((t) => ({ name: t.name.trim(), description: t.description.trim(), policy: t.policy, parameters: parseParameters(t.parameters).value }));
      if (secret) body.secret = secret;
    }
    save.mutate(body);
  };
  return (
    <form className="ui-form tool-form" onSubmit={submit} noValidate>
      <Field label="Name" error={tried ? errors.name : null}>
        {(p) => <input {...p} maxLength={80} value={name} onChange={(e) => setName(e.target.value)} placeholder="Shop backend" />}
      </Field>
      {!demo && (
        <>
          <Field label="Endpoint URL" error={tried ? errors.url : null} hint="Baton POSTs each call here. Private and loopback addresses are refused unless the operator allows them.">
            {(p) => <input {...p} type="url" inputMode="url" maxLength={2048} value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://shop.example.com/baton-tools" />}
          </Field>
          <Field label="Timeout (seconds)" error={tried ? errors.timeout : null}>
            {(p) => <input {...p} type="number" min={0.5} max={60} step={0.5} value={timeout} onChange={(e) => setTimeoutText(e.target.value)} />}
          </Field>
          <Field
            label={integration ? "Replace the signing secret (optional)" : "Signing secret (optional)"}
            error={tried ? errors.secret : null}
            hint={
              integration
                ? "Write-only: the current secret is never shown. Leave empty to keep it."
                : "Write-only. Leave empty and Baton generates one and shows it once."
            }
          >
            {(p) => <input {...p} type="password" autoComplete="new-password" maxLength={200} value={secret} onChange={(e) => setSecretText(e.target.value)} />}
          </Field>
          <fieldset className="tool-drafts">
            <legend>Tools</legend>
            {drafts.map((t, n) => (
              <div key={t.key} className="tool-draft" role="group" aria-label={`Tool ${n + 1}`}>
                <Field label="Tool name" error={tried ? (perTool[n]?.name ?? null) : null}>
                  {(p) => <input {...p} maxLength={64} value={t.name} onChange={(e) => change(t.key, { name: e.target.value })} placeholder="get_loyalty_points" />}
                </Field>
                <Field label="Description" error={tried ? (perTool[n]?.description ?? null) : null} hint="What the model reads to decide when to call it.">
                  {(p) => <input {...p} value={t.description} onChange={(e) => change(t.key, { description: e.target.value })} />}
                </Field>
                <Field label="Policy" hint="Auto runs at once while the visitor waits; approval waits for an agent.">
                  {(p) => (
                    <Select
                      {...p}
                      value={t.policy}
                      onChange={(v) => change(t.key, { policy: v })}
                      options={[
                        { value: "approval", label: "Needs an agent's approval" },
                        { value: "auto", label: "Runs automatically" },
                      ]}
                    />
                  )}
                </Field>
                <Field label="Arguments (JSON schema)" error={tried ? (perTool[n]?.parameters ?? null) : null}>
                  {(p) => <textarea {...p} className="mono" rows={5} value={t.parameters} onChange={(e) => change(t.key, { parameters: e.target.value })} />}
                </Field>
                <Button small onClick={() => setDrafts((list) => list.filter((o) => o.key !== t.key))} aria-label={`Remove tool ${n + 1}`}>
                  Remove tool
                </Button>
              </div>
            ))}
            {tried && errors.tools && (
              <p className="ui-field-error" role="alert">
                {errors.tools}
              </p>
            )}
            <Button small onClick={() => setDrafts((list) => [...list, draftOf()])}>
              Add tool
            </Button>
          </fieldset>
        </>
      )}
      <Checkbox label="On (the AI may call its tools)" checked={enabled} onChange={setEnabled} />
      <ErrorText error={save.error} />
      <div className="ui-form-actions">
        <Button type="submit" variant="primary" busy={save.isPending ? "Saving…" : false}>
          {integration ? "Save integration" : "Create integration"}
        </Button>
      </div>
    </form>
  );
}

function ShowSecret({ integration, onDone }: { integration: Integration; onDone: () => void }) {
  const value = integration.secret ?? "";
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
        This is the only time the signing secret of <strong>{integration.name}</strong> is shown. Give it to your backend to verify <code>X-Baton-Signature</code>.
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

function DeleteIntegration({ integration, onDone }: { integration: Integration; onDone: () => void }) {
  const remove = useAction(() => tools.remove(integration.id), { invalidate: [toolKeys.integrations, toolKeys.registry], done: "Integration deleted.", onDone });
  return (
    <div className="ui-form">
      <p>
        Delete <strong>{integration.name}</strong>? The AI can no longer call its tools; actions it already proposed keep their history.
      </p>
      <ErrorText error={remove.error} />
      <div className="ui-form-actions">
        <Button variant="danger" busy={remove.isPending ? "Deleting…" : false} onClick={() => remove.mutate(undefined)}>
          Delete integration
        </Button>
        <Button onClick={onDone}>Cancel</Button>
      </div>
    </div>
  );
}

interface ShownTool {
  name: string;
  description: string;
  policy: string;
}

function IntegrationDetail({ integration }: { integration: Integration }) {
  const registry = useQuery({ queryKey: toolKeys.registry, queryFn: tools.registry, enabled: integration.kind === "demo" });
  const errors = useQuery({ queryKey: toolKeys.errors(integration.id), queryFn: () => tools.errors(integration.id), refetchInterval: 10_000 });
  const shown: ShownTool[] =
    integration.kind === "demo"
      ? (registry.data?.items ?? []).filter((t) => t.source === "demo")
      : (integration.tools as DeclaredTool[]).map((t) => ({ name: t.name, description: t.description ?? "", policy: t.policy ?? "approval" }));
  const toolColumns: Column<ShownTool>[] = [
    { key: "name", header: "Tool", cell: (t) => <code>{t.name}</code> },
    { key: "policy", header: "Policy", cell: (t) => <Badge tone={t.policy === "auto" ? "info" : "warning"}>{t.policy === "auto" ? "auto" : "approval"}</Badge> },
    { key: "description", header: "Description", cell: (t) => <span className="small">{t.description}</span> },
  ];
  const errorColumns: Column<NonNullable<typeof errors.data>["items"][number]>[] = [
    { key: "at", header: "When", cell: (e) => when(e.at) },
    { key: "tool", header: "Tool", cell: (e) => <code>{e.tool}</code> },
    { key: "error", header: "Error", cell: (e) => <span className="small">{e.error}</span> },
    { key: "conversation", header: "Conversation", cell: (e) => <a href={`#/inbox/all/${e.conversation_id}`}>Open</a> },
  ];
  return (
    <>
      <Section title={`Tools of ${integration.name}`}>
        <ErrorText error={registry.error} prefix="Could not load the tools" />
        {shown.length === 0 ? <EmptyState title="No tools">This integration declares no tools.</EmptyState> : <Table caption={`Tools of ${integration.name}`} columns={toolColumns} rows={shown} rowKey={(t) => t.name} />}
      </Section>
      {integration.kind === "http" && shown.length > 0 && <TrialCall integration={integration} names={shown.map((t) => t.name)} />}
      <Section title={`Recent errors of ${integration.name}`}>
        <ErrorText error={errors.error} prefix="Could not load the errors" />
        {errors.data &&
          (errors.data.items.length === 0 ? (
            <EmptyState title="No failed calls">Calls of its tools that fail (a refusal, a timeout, an HTTP error, a body that is not JSON) appear here.</EmptyState>
          ) : (
            <Table caption={`Recent errors of ${integration.name}`} columns={errorColumns} rows={errors.data.items} rowKey={(e) => e.action_id} />
          ))}
      </Section>
    </>
  );
}

function TrialCall({ integration, names }: { integration: Integration; names: string[] }) {
  const [tool, setTool] = useState(names[0] ?? "");
  const [args, setArgs] = useState("{}");
  const [tried, setTried] = useState(false);
  const [result, setResult] = useState<TrialResult | null>(null);
  const run = useAction(tools.test, { onDone: setResult });
  const chosen = names.includes(tool) ? tool : (names[0] ?? "");
  const parsed = (() => {
    try {
      const value: unknown = JSON.parse(args);
      return typeof value === "object" && value !== null && !Array.isArray(value) ? { value: value as Record<string, unknown>, error: null } : { value: null, error: "The arguments must be a JSON object." };
    } catch {
      return { value: null, error: "Not valid JSON." };
    }
  })();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    setResult(null);
    if (parsed.error || !parsed.value) return;
    run.mutate({ id: integration.id, tool: chosen, args: parsed.value });
  };
  return (
    <Section title="Try a tool">
      <form className="ui-form tool-trial" onSubmit={submit} noValidate>
        <p className="small muted">
          Sends one signed call now (<code>X-Baton-Event: tool.test</code>, no conversation). It really runs on your backend.
        </p>
        <Field label="Tool to try">{(p) => <Select {...p} value={chosen} onChange={setTool} options={names.map((n) => ({ value: n, label: n }))} />}</Field>
        <Field label="Arguments (JSON)" error={tried ? parsed.error : null}>
          {(p) => <textarea {...p} className="mono" rows={3} value={args} onChange={(e) => setArgs(e.target.value)} />}
        </Field>
        <ErrorText error={run.error} />
        <div className="ui-form-actions">
          <Button type="submit" busy={run.isPending ? "Calling…" : false}>
            Call the tool
          </Button>
        </div>
        {result && (
          <div className={`ui-alert${result.ok ? " ui-alert-success" : ""}`} role="status">
            <strong>{result.ok ? `${result.tool} answered in ${result.duration_ms} ms` : `${result.tool} failed after ${result.duration_ms} ms`}</strong>
            <pre className="mono tool-trial-output">{result.ok ? JSON.stringify(result.result, null, 2) : result.error}</pre>
          </div>
        )}
      </form>
    </Section>
  );
}
