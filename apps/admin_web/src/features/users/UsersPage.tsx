import { useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { roles, users, type User } from "../../api/admin";
import { can } from "../../session";
import { keys } from "../../api/queries";
import { useSession } from "../../app/Shell";
import { Badge, Button, Checkbox, Dialog, EmptyState, ErrorText, Field, Page, Select, Table, useAction, type Column } from "../../ui";

export const ROLE_OPTIONS = [
  { value: "agent", label: "Agent" },
  { value: "admin", label: "Admin" },
] as const;
export const MIN_PASSWORD = 8;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

type Editing = { kind: "create" } | { kind: "edit"; user: User } | { kind: "password"; user: User } | { kind: "delete"; user: User } | null;

export function UsersPage() {
  const session = useSession();
  const list = useQuery({ queryKey: keys.users, queryFn: users.list });
  // custom roles come from the roles API (roles:manage); without it, the built-in two
  const roleList = useQuery({ queryKey: keys.roles, queryFn: roles.list, enabled: can(session, "roles:manage") });
  const roleOptions = roleList.data
    ? roleList.data.items.map((r) => ({ value: r.name, label: r.builtin ? r.name[0]!.toUpperCase() + r.name.slice(1) : r.name }))
    : [...ROLE_OPTIONS];
  const [editing, setEditing] = useState<Editing>(null);
  const close = () => setEditing(null);
  const toggle = useAction((u: User) => users.update(u.id, { is_active: !u.is_active }), {
    invalidate: [keys.users],
    done: (u) => `${u.name || u.email} is ${u.is_active ? "active again" : "deactivated"}.`,
  });

  const columns: Column<User>[] = [
    { key: "name", header: "Name", cell: (u) => <strong>{u.name || "—"}</strong> },
    { key: "email", header: "Email", cell: (u) => u.email },
    { key: "role", header: "Role", cell: (u) => <Badge tone={u.role === "admin" ? "info" : "neutral"}>{u.role}</Badge> },
    {
      key: "status",
      header: "Status",
      cell: (u) => (u.is_active ? <Badge tone="success">Active</Badge> : <Badge tone="muted">Deactivated</Badge>),
    },
    { key: "presence", header: "Presence", cell: (u) => u.presence },
    {
      key: "actions",
      header: "Actions",
      actions: true,
      cell: (u) => {
        const self = u.id === session.user.id;
        return (
          <>
            <Button small onClick={() => setEditing({ kind: "edit", user: u })} aria-label={`Edit ${u.email}`}>
              Edit
            </Button>
            <Button small onClick={() => setEditing({ kind: "password", user: u })} aria-label={`Reset password of ${u.email}`}>
              Reset password
            </Button>
            {!self && (
              <Button
                small
                variant={u.is_active ? "danger" : "secondary"}
                busy={toggle.isPending && toggle.variables?.id === u.id}
                onClick={() => toggle.mutate(u)}
                aria-label={`${u.is_active ? "Deactivate" : "Reactivate"} ${u.email}`}
              >
                {u.is_active ? "Deactivate" : "Reactivate"}
              </Button>
            )}
            {!self && (
              <Button small variant="danger" onClick={() => setEditing({ kind: "delete", user: u })} aria-label={`Delete ${u.email}`}>
                Delete
              </Button>
            )}
          </>
        );
      },
    },
  ];

  return (
    <Page
      title="Users"
      description="Agents answer conversations; admins also run this console. Deactivated users cannot sign in."
      actions={
        <Button variant="primary" onClick={() => setEditing({ kind: "create" })}>
          New user
        </Button>
      }
    >
      <ErrorText error={toggle.error} />
      <ErrorText error={list.error} prefix="Could not load users" />
      {list.data &&
        (list.data.items.length === 0 ? (
          <EmptyState title="No users yet" />
        ) : (
          <Table caption="Users" columns={columns} rows={list.data.items} rowKey={(u) => u.id} />
        ))}
      <Dialog open={editing?.kind === "create"} title="New user" onClose={close}>
        <CreateUser onDone={close} roleOptions={roleOptions} />
      </Dialog>
      <Dialog open={editing?.kind === "edit"} title="Edit user" onClose={close}>
        {editing?.kind === "edit" && <EditUser user={editing.user} self={editing.user.id === session.user.id} onDone={close} roleOptions={roleOptions} />}
      </Dialog>
      <Dialog open={editing?.kind === "password"} title="Reset password" onClose={close}>
        {editing?.kind === "password" && <ResetPassword user={editing.user} onDone={close} />}
      </Dialog>
      <Dialog open={editing?.kind === "delete"} title="Delete user" onClose={close}>
        {editing?.kind === "delete" && <DeleteUser user={editing.user} onDone={close} />}
      </Dialog>
    </Page>
  );
}

type RoleOptions = { value: string; label: string }[];

function CreateUser({ onDone, roleOptions }: { onDone: () => void; roleOptions: RoleOptions }) {
  const [email, setEmail] = useState("");
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  const [role, setRole] = useState("agent");
  const [tried, setTried] = useState(false);
  const create = useAction(users.create, { invalidate: [keys.users], done: (u) => `${u.email} can now sign in.`, onDone });
  const errors = {
    email: !EMAIL.test(email.trim()) ? "Enter an email address like dana@example.com." : null,
    password: password.length < MIN_PASSWORD ? `At least ${MIN_PASSWORD} characters.` : null,
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (errors.email || errors.password) return;
    create.mutate({ email: email.trim(), name: name.trim() || null, password, role });
  };
  return (
    <form className="ui-form" onSubmit={submit} noValidate>
      <Field label="Email" error={tried ? errors.email : null}>
        {(p) => <input {...p} type="email" autoComplete="off" value={email} onChange={(e) => setEmail(e.target.value)} />}
      </Field>
      <Field label="Name">{(p) => <input {...p} maxLength={120} value={name} onChange={(e) => setName(e.target.value)} />}</Field>
      <Field label="Password" hint="They can change it after signing in." error={tried ? errors.password : null}>
        {(p) => <input {...p} type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} />}
      </Field>
      <Field label="Role">{(p) => <Select {...p} value={role} options={roleOptions} onChange={setRole} />}</Field>
      <ErrorText error={create.error} />
      <div className="ui-form-actions">
        <Button type="submit" variant="primary" busy={create.isPending ? "Creating…" : false}>
          Create user
        </Button>
      </div>
    </form>
  );
}

function EditUser({ user, self, onDone, roleOptions }: { user: User; self: boolean; onDone: () => void; roleOptions: RoleOptions }) {
  const [name, setName] = useState(user.name);
  const [role, setRole] = useState(user.role);
  const [active, setActive] = useState(user.is_active);
  const save = useAction(() => users.update(user.id, { name: name.trim(), role, is_active: active }), {
    invalidate: [keys.users],
    done: "User saved.",
    onDone,
  });
  return (
    <form className="ui-form" onSubmit={(e) => { e.preventDefault(); save.mutate(undefined); }}>
      <p className="muted">{user.email}</p>
      <Field label="Name">{(p) => <input {...p} maxLength={120} value={name} onChange={(e) => setName(e.target.value)} />}</Field>
      <Field label="Role" hint={self ? "You cannot take away your own admin role here if you are the last admin." : undefined}>
        {(p) => (
          <Select
            {...p}
            value={role}
            options={roleOptions.some((o) => o.value === role) ? roleOptions : [...roleOptions, { value: role, label: role }]}
            onChange={setRole}
          />
        )}
      </Field>
      {!self && <Checkbox label="Active (can sign in)" checked={active} onChange={setActive} />}
      <ErrorText error={save.error} />
      <div className="ui-form-actions">
        <Button type="submit" variant="primary" busy={save.isPending ? "Saving…" : false}>
          Save
        </Button>
      </div>
    </form>
  );
}

function ResetPassword({ user, onDone }: { user: User; onDone: () => void }) {
  const [password, setPassword] = useState("");
  const [tried, setTried] = useState(false);
  const reset = useAction(() => users.update(user.id, { password }), { done: `New password set for ${user.email}.`, onDone });
  const error = password.length < MIN_PASSWORD ? `At least ${MIN_PASSWORD} characters.` : null;
  return (
    <form
      className="ui-form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        setTried(true);
        if (!error) reset.mutate(undefined);
      }}
    >
      <p>
        Set a new password for <strong>{user.email}</strong> and tell them through a safe channel.
      </p>
      <Field label="New password" error={tried ? error : null}>
        {(p) => <input {...p} type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} />}
      </Field>
      <ErrorText error={reset.error} />
      <div className="ui-form-actions">
        <Button type="submit" variant="primary" busy={reset.isPending ? "Saving…" : false}>
          Set password
        </Button>
      </div>
    </form>
  );
}

function DeleteUser({ user, onDone }: { user: User; onDone: () => void }) {
  const remove = useAction(() => users.remove(user.id), { invalidate: [keys.users], done: `${user.email} was deleted.`, onDone });
  return (
    <div className="ui-form">
      <p>
        Delete <strong>{user.email}</strong>? They can no longer sign in; their messages keep their name. To only pause
        an account, deactivate it instead.
      </p>
      <ErrorText error={remove.error} />
      <div className="ui-form-actions">
        <Button variant="danger" busy={remove.isPending ? "Deleting…" : false} onClick={() => remove.mutate(undefined)}>
          Delete user
        </Button>
        <Button onClick={onDone}>Cancel</Button>
      </div>
    </div>
  );
}
