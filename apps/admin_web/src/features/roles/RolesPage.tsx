import { useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { roles, type Role } from "../../api/admin";
import { keys } from "../../api/queries";
import { PERMISSIONS } from "../../app/permissions";
import { Badge, Button, Dialog, ErrorText, Field, Page, PermissionPicker, Table, useAction, type Column } from "../../ui";

const NAME = /^[a-z][a-z0-9_-]{1,31}$/;

export function RolesPage() {
  const list = useQuery({ queryKey: keys.roles, queryFn: roles.list });
  const [editing, setEditing] = useState<Role | "new" | null>(null);
  const [deleting, setDeleting] = useState<Role | null>(null);
  const columns: Column<Role>[] = [
    {
      key: "name",
      header: "Role",
      cell: (r) => (
        <>
          <strong>{r.name}</strong> {r.builtin && <Badge tone="muted">built-in</Badge>}
          {r.description && <div className="muted small">{r.description}</div>}
        </>
      ),
    },
    {
      key: "permissions",
      header: "Permissions",
      cell: (r) => (
        <span className="small">
          {r.permissions.length === PERMISSIONS.length ? "Everything" : r.permissions.join(", ") || "None"}
        </span>
      ),
    },
    { key: "users", header: "Users", cell: (r) => r.users },
    {
      key: "actions",
      header: "Actions",
      actions: true,
      cell: (r) =>
        r.name === "admin" ? (
          <span className="muted small">Holds every permission</span>
        ) : (
          <>
            <Button small onClick={() => setEditing(r)} aria-label={`Edit ${r.name}`}>
              Edit
            </Button>
            {!r.builtin && (
              <Button small variant="danger" onClick={() => setDeleting(r)} aria-label={`Delete ${r.name}`}>
                Delete
              </Button>
            )}
          </>
        ),
    },
  ];
  return (
    <Page
      title="Roles"
      description="A role is a named set of permissions; each user has one. Admin holds everything; agent and custom roles can be edited. You can only grant permissions you hold."
      actions={
        <Button variant="primary" onClick={() => setEditing("new")}>
          New role
        </Button>
      }
    >
      <ErrorText error={list.error} prefix="Could not load the roles" />
      {list.data && <Table caption="Roles" columns={columns} rows={list.data.items} rowKey={(r) => r.name} />}
      <Dialog open={editing !== null} title={editing === "new" ? "New role" : `Edit role ${editing?.name ?? ""}`} onClose={() => setEditing(null)}>
        {editing !== null && <RoleForm role={editing === "new" ? null : editing} onDone={() => setEditing(null)} />}
      </Dialog>
      <Dialog open={deleting !== null} title="Delete role" onClose={() => setDeleting(null)}>
        {deleting && <DeleteRole role={deleting} onDone={() => setDeleting(null)} />}
      </Dialog>
    </Page>
  );
}

function RoleForm({ role, onDone }: { role: Role | null; onDone: () => void }) {
  const [name, setName] = useState(role?.name ?? "");
  const [description, setDescription] = useState(role?.description ?? "");
  const [permissions, setPermissions] = useState<string[]>(role?.permissions ?? ["conversations:read"]);
  const [tried, setTried] = useState(false);
  const save = useAction(
    () =>
      role
        ? roles.update(role.name, { ...(role.builtin ? {} : { name }), description, permissions })
        : roles.create({ name, description: description || null, permissions }),
    { invalidate: [keys.roles, keys.users], done: role ? "Role saved. Its users have the new permissions at once." : `Role ${name} created.`, onDone },
  );
  const errors = {
    name: NAME.test(name) ? null : "2-32 characters: lower-case letters, digits, - or _, starting with a letter.",
    permissions: permissions.length ? null : "Choose at least one permission.",
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (Object.values(errors).some(Boolean)) return;
    save.mutate(undefined);
  };
  return (
    <form className="ui-form" onSubmit={submit} noValidate>
      <Field label="Name" hint={role?.builtin ? "Built-in roles keep their name." : "Users are given this name as their role."} error={tried ? errors.name : null}>
        {(p) => <input {...p} value={name} disabled={role?.builtin} onChange={(e) => setName(e.target.value.trim())} />}
      </Field>
      <Field label="Description">{(p) => <input {...p} maxLength={200} value={description} onChange={(e) => setDescription(e.target.value)} />}</Field>
      <PermissionPicker legend="Permissions" value={permissions} onChange={setPermissions} />
      {tried && errors.permissions && (
        <p className="ui-field-error" role="alert">
          {errors.permissions}
        </p>
      )}
      <ErrorText error={save.error} />
      <div className="ui-form-actions">
        <Button type="submit" variant="primary" busy={save.isPending ? "Saving…" : false}>
          {role ? "Save role" : "Create role"}
        </Button>
      </div>
    </form>
  );
}

function DeleteRole({ role, onDone }: { role: Role; onDone: () => void }) {
  const remove = useAction(() => roles.remove(role.name), { invalidate: [keys.roles], done: `Role ${role.name} deleted.`, onDone });
  return (
    <div className="ui-form">
      <p>
        Delete the role <strong>{role.name}</strong>?{role.users ? ` ${role.users} user(s) still hold it; give them another role first.` : ""}
      </p>
      <ErrorText error={remove.error} />
      <div className="ui-form-actions">
        <Button variant="danger" busy={remove.isPending ? "Deleting…" : false} onClick={() => remove.mutate(undefined)}>
          Delete role
        </Button>
        <Button onClick={onDone}>Cancel</Button>
      </div>
    </div>
  );
}
