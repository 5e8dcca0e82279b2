import { useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { apiKeys, type ApiKey, type ApiKeyCreated } from "../../api/admin";
import { keys } from "../../api/queries";
import { INTEGRATOR_SCOPES } from "../../app/permissions";
import { Badge, Button, Dialog, EmptyState, ErrorText, Field, Page, PermissionPicker, Table, toast, useAction, type Column } from "../../ui";

function when(iso: string | null): string {
  return iso ? new Date(iso).toLocaleString() : "never";
}

export function ApiKeysPage() {
  const list = useQuery({ queryKey: keys.apiKeys, queryFn: apiKeys.list });
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<ApiKeyCreated | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const columns: Column<ApiKey>[] = [
    { key: "name", header: "Name", cell: (k) => <strong>{k.name}</strong> },
    { key: "prefix", header: "Key", cell: (k) => <code>{k.prefix}…</code> },
    { key: "scopes", header: "Scopes", cell: (k) => <span className="small">{k.scopes.join(", ")}</span> },
    { key: "expires", header: "Expires", cell: (k) => (k.expires_at ? new Date(k.expires_at).toLocaleDateString() : "never") },
    { key: "created", header: "Created", cell: (k) => when(k.created_at) },
    { key: "used", header: "Last used", cell: (k) => when(k.last_used_at) },
    {
      key: "status",
      header: "Status",
      cell: (k) =>
        k.revoked_at ? (
          <Badge tone="muted">Revoked {new Date(k.revoked_at).toLocaleDateString()}</Badge>
        ) : k.expires_at && Date.parse(k.expires_at) <= Date.now() ? (
          <Badge tone="warning">Expired</Badge>
        ) : (
          <Badge tone="success">Active</Badge>
        ),
    },
    {
      key: "actions",
      header: "Actions",
      actions: true,
      cell: (k) =>
        k.revoked_at ? null : (
          <Button small variant="danger" onClick={() => setRevoking(k)} aria-label={`Revoke ${k.name}`}>
            Revoke
          </Button>
        ),
    },
  ];
  return (
    <Page
      title="API keys"
      description="Integrators call the REST API and the /agent socket with a key as the bearer token. A key is shown once, when it is created."
      actions={
        <Button variant="primary" onClick={() => setCreating(true)}>
          New API key
        </Button>
      }
    >
      <ErrorText error={list.error} prefix="Could not load API keys" />
      {list.data &&
        (list.data.items.length === 0 ? (
          <EmptyState title="No API keys yet">Create one for each integration, so you can revoke them one by one.</EmptyState>
        ) : (
          <Table caption="API keys" columns={columns} rows={list.data.items} rowKey={(k) => k.id} />
        ))}
      <Dialog open={creating} title="New API key" onClose={() => setCreating(false)}>
        <CreateKey
          onCreated={(k) => {
            setCreating(false);
            setCreated(k);
          }}
        />
      </Dialog>
      <Dialog open={created !== null} title="Copy your new key" onClose={() => setCreated(null)}>
        {created && <ShowOnce created={created} onDone={() => setCreated(null)} />}
      </Dialog>
      <Dialog open={revoking !== null} title="Revoke API key" onClose={() => setRevoking(null)}>
        {revoking && <Revoke apiKey={revoking} onDone={() => setRevoking(null)} />}
      </Dialog>
    </Page>
  );
}

/** The end of the chosen day, in the browser's time zone, as an ISO instant. */
export function endOfDay(date: string): string {
  return new Date(`${date}T23:59:59`).toISOString();
}

function CreateKey({ onCreated }: { onCreated: (k: ApiKeyCreated) => void }) {
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<string[]>(INTEGRATOR_SCOPES);
  const [expires, setExpires] = useState("");
  const [tried, setTried] = useState(false);
  const create = useAction(apiKeys.create, { invalidate: [keys.apiKeys], onDone: onCreated });
  const today = new Date().toISOString().slice(0, 10);
  const errors = {
    name: name.trim() ? null : "Give the key a name, such as the integration that uses it.",
    scopes: scopes.length ? null : "Choose at least one scope.",
    expires: expires && expires < today ? "Choose a day from today on." : null,
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (Object.values(errors).some(Boolean)) return;
    create.mutate({ name: name.trim(), scopes, expires_at: expires ? endOfDay(expires) : null });
  };
  return (
    <form className="ui-form" onSubmit={submit} noValidate>
      <Field label="Name" error={tried ? errors.name : null}>
        {(p) => <input {...p} maxLength={120} value={name} onChange={(e) => setName(e.target.value)} />}
      </Field>
      <Field label="Expires on" hint="Empty: the key works until it is revoked." error={tried ? errors.expires : null}>
        {(p) => <input {...p} type="date" min={today} value={expires} onChange={(e) => setExpires(e.target.value)} />}
      </Field>
      <PermissionPicker legend="Scopes (the conversation API by default)" value={scopes} onChange={setScopes} />
      {tried && errors.scopes && (
        <p className="ui-field-error" role="alert">
          {errors.scopes}
        </p>
      )}
      <ErrorText error={create.error} />
      <div className="ui-form-actions">
        <Button type="submit" variant="primary" busy={create.isPending ? "Creating…" : false}>
          Create key
        </Button>
      </div>
    </form>
  );
}

function ShowOnce({ created, onDone }: { created: ApiKeyCreated; onDone: () => void }) {
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(created.key);
      toast("Key copied.");
    } catch {
      toast("Select the key and copy it by hand.", "error");
    }
  };
  return (
    <div className="ui-form">
      <p className="ui-alert ui-alert-success">
        This is the only time the key <strong>{created.name}</strong> is shown. Store it in your integration's secrets now.
      </p>
      <Field label="API key">{(p) => <input {...p} readOnly value={created.key} className="mono" onFocus={(e) => e.target.select()} />}</Field>
      <div className="ui-form-actions">
        <Button variant="primary" onClick={() => void copy()}>
          Copy key
        </Button>
        <Button onClick={onDone}>Done</Button>
      </div>
    </div>
  );
}

function Revoke({ apiKey, onDone }: { apiKey: ApiKey; onDone: () => void }) {
  const revoke = useAction(() => apiKeys.revoke(apiKey.id), { invalidate: [keys.apiKeys], done: `${apiKey.name} was revoked.`, onDone });
  return (
    <div className="ui-form">
      <p>
        Revoke <strong>{apiKey.name}</strong> (<code>{apiKey.prefix}…</code>)? Calls with it are refused from now on. This cannot
        be undone.
      </p>
      <ErrorText error={revoke.error} />
      <div className="ui-form-actions">
        <Button variant="danger" busy={revoke.isPending ? "Revoking…" : false} onClick={() => revoke.mutate(undefined)}>
          Revoke key
        </Button>
        <Button onClick={onDone}>Cancel</Button>
      </div>
    </div>
  );
}
