// The console's canned responses: search with the composer's picker list, edit, import a
// spreadsheet with a dry-run report first, export.
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { useId, useRef, useState, type FormEvent } from "react";
import { errorText } from "../../api/client";
import { useSession } from "../../app/Shell";
import { Badge, Button, Dialog, EmptyState, ErrorText, Field, Page, Section, Table, useAction, type Column } from "../../ui";
import { canned, type Canned, type CannedIn, type ImportOptions, type ImportResult } from "./api";
import { CannedOptions, useCannedSearch } from "./useSlashPicker";

const LIST_KEY = ["canned", "list"] as const;
const INVALIDATE = [LIST_KEY, ["canned", "search"]];

export function CannedPage() {
  const session = useSession();
  const manages = session.permissions.includes("canned:manage");
  const pages = useInfiniteQuery({
    queryKey: LIST_KEY,
    queryFn: ({ pageParam }) => canned.list(pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const [editing, setEditing] = useState<Canned | "new" | null>(null);
  const [deleting, setDeleting] = useState<Canned | null>(null);
  const [importing, setImporting] = useState(false);
  const items = pages.data?.pages.flatMap((p) => p.items) ?? [];
  const mayChange = (c: Canned) => c.visibility === "personal" || manages;
  const columns: Column<Canned>[] = [
    { key: "shortcut", header: "Shortcut", cell: (c) => <code>/{c.shortcut}</code> },
    { key: "title", header: "Title", cell: (c) => <strong>{c.title}</strong> },
    { key: "body", header: "Text", cell: (c) => <span className="clamp">{c.body}</span> },
    { key: "category", header: "Category", cell: (c) => (c.category ? <Badge>{c.category}</Badge> : null) },
    { key: "visibility", header: "Visible to", cell: (c) => (c.visibility === "global" ? "Everyone" : "Only you") },
    {
      key: "actions",
      header: "Actions",
      actions: true,
      cell: (c) =>
        mayChange(c) ? (
          <>
            <Button small onClick={() => setEditing(c)} aria-label={`Edit /${c.shortcut}`}>
              Edit
            </Button>
            <Button small variant="danger" onClick={() => setDeleting(c)} aria-label={`Delete /${c.shortcut}`}>
              Delete
            </Button>
          </>
        ) : null,
    },
  ];
  return (
    <Page
      title="Canned responses"
      description="Saved replies: type / and the shortcut in the composer. {{visitor.name}}, {{visitor.email}}, {{agent.name}} and {{conversation.id}} are filled in when inserted."
      actions={
        <>
          <Button onClick={() => setImporting(true)}>Import…</Button>
          <ExportButton format="xlsx" />
          <ExportButton format="csv" />
          <Button variant="primary" onClick={() => setEditing("new")}>
            New response
          </Button>
        </>
      }
    >
      <Finder onPick={(c) => (mayChange(c) ? setEditing(c) : undefined)} />
      <ErrorText error={pages.error} prefix="Could not load the canned responses" />
      {pages.data &&
        (items.length === 0 ? (
          <EmptyState title="No canned responses yet">Save the answers you type every day, or import a spreadsheet.</EmptyState>
        ) : (
          <Table
            caption="Canned responses"
            columns={columns}
            rows={items}
            rowKey={(c) => c.id}
            hasMore={pages.hasNextPage}
            loadingMore={pages.isFetchingNextPage}
            onLoadMore={() => void pages.fetchNextPage()}
          />
        ))}
      <Dialog open={editing !== null} title={editing === "new" ? "New canned response" : "Edit canned response"} onClose={() => setEditing(null)}>
        {editing !== null && <CannedForm item={editing === "new" ? null : editing} manages={manages} onDone={() => setEditing(null)} />}
      </Dialog>
      <Dialog open={deleting !== null} title="Delete canned response" onClose={() => setDeleting(null)}>
        {deleting && <DeleteCanned item={deleting} onDone={() => setDeleting(null)} />}
      </Dialog>
      <Dialog open={importing} title="Import canned responses" onClose={() => setImporting(false)}>
        {importing && <ImportForm manages={manages} onDone={() => setImporting(false)} />}
      </Dialog>
    </Page>
  );
}

/** The composer's picker, as a search box: arrows and Enter open the response to edit. */
function Finder({ onPick }: { onPick: (c: Canned) => void }) {
  const [text, setText] = useState("");
  const [active, setActive] = useState(0);
  const results = useCannedSearch(text.trim() ? text : null);
  const items = results.data?.items ?? [];
  const listId = useId();
  return (
    <Section title="Find">
      <Field label="Search shortcut, title and text" hint="Fuzzy: typos are fine. ↑↓ and Enter to open one.">
        {(p) => (
          <input
            {...p}
            type="search"
            value={text}
            aria-controls={items.length ? listId : undefined}
            aria-activedescendant={items.length ? `${listId}-${active}` : undefined}
            onChange={(e) => {
              setText(e.target.value);
              setActive(0);
            }}
            onKeyDown={(e) => {
              if (!items.length) return;
              if (e.key === "ArrowDown" || e.key === "ArrowUp") {
                e.preventDefault();
                setActive((i) => (i + (e.key === "ArrowDown" ? 1 : -1) + items.length) % items.length);
              } else if (e.key === "Enter") {
                e.preventDefault();
                const item = items[active];
                if (item) onPick(item);
              } else if (e.key === "Escape") {
                setText("");
              }
            }}
            placeholder="/returns"
          />
        )}
      </Field>
      <ErrorText error={results.error} />
      {text.trim() && results.data && items.length === 0 && <p className="muted">Nothing matches.</p>}
      {items.length > 0 && <CannedOptions id={listId} items={items} active={active} onPick={onPick} onHover={setActive} />}
    </Section>
  );
}

function CannedForm({ item, manages, onDone }: { item: Canned | null; manages: boolean; onDone: () => void }) {
  const [shortcut, setShortcut] = useState(item?.shortcut ?? "");
  const [title, setTitle] = useState(item?.title ?? "");
  const [body, setBody] = useState(item?.body ?? "");
  const [category, setCategory] = useState(item?.category ?? "");
  const [visibility, setVisibility] = useState<"personal" | "global">((item?.visibility as "personal" | "global") ?? "personal");
  const [tried, setTried] = useState(false);
  const categories = useQuery({ queryKey: ["canned", "categories"], queryFn: canned.categories });
  const listId = useId();
  const save = useAction((data: CannedIn) => (item ? canned.update(item.id, data) : canned.create(data)), {
    invalidate: [...INVALIDATE, ["canned", "categories"]],
    done: item ? "Canned response saved." : "Canned response added.",
    onDone,
  });
  const clean = shortcut.trim().replace(/^\//, "");
  const errors = {
    shortcut: !clean ? "Give it a shortcut." : /^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(clean) ? null : "Letters, digits, - _ and . only (no spaces).",
    body: body.trim() ? null : "Write the response's text.",
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (Object.values(errors).some(Boolean)) return;
    save.mutate({ shortcut: clean, title: title.trim() || clean, body, category: category.trim() || null, visibility });
  };
  return (
    <form className="ui-form" onSubmit={submit} noValidate>
      <Field label="Shortcut" hint="Typed after / in the composer." error={tried ? errors.shortcut : null}>
        {(p) => <input {...p} maxLength={65} value={shortcut} onChange={(e) => setShortcut(e.target.value)} placeholder="returns" />}
      </Field>
      <Field label="Title">
        {(p) => <input {...p} maxLength={200} value={title} onChange={(e) => setTitle(e.target.value)} />}
      </Field>
      <Field label="Text" hint="{{visitor.name}}, {{visitor.email}}, {{agent.name}}, {{conversation.id}} are filled in." error={tried ? errors.body : null}>
        {(p) => <textarea {...p} rows={8} maxLength={5000} value={body} onChange={(e) => setBody(e.target.value)} />}
      </Field>
      <Field label="Category">
        {(p) => <input {...p} list={listId} maxLength={64} value={category} onChange={(e) => setCategory(e.target.value)} />}
      </Field>
      <datalist id={listId}>
        {categories.data?.items.map((c) => <option key={c} value={c} />)}
      </datalist>
      <Field label="Visible to" hint={manages ? undefined : "Responses for everyone need the canned:manage permission."}>
        {(p) => (
          <select {...p} value={visibility} onChange={(e) => setVisibility(e.target.value as "personal" | "global")}>
            <option value="personal">Only me</option>
            <option value="global" disabled={!manages}>
              Everyone
            </option>
          </select>
        )}
      </Field>
      <ErrorText error={save.error} />
      <div className="ui-form-actions">
        <Button type="submit" variant="primary" busy={save.isPending ? "Saving…" : false}>
          {item ? "Save response" : "Add response"}
        </Button>
      </div>
    </form>
  );
}

function DeleteCanned({ item, onDone }: { item: Canned; onDone: () => void }) {
  const remove = useAction(() => canned.remove(item.id), { invalidate: INVALIDATE, done: `/${item.shortcut} was deleted.`, onDone });
  return (
    <div className="ui-form">
      <p>
        Delete <strong>/{item.shortcut}</strong>?
      </p>
      <ErrorText error={remove.error} />
      <div className="ui-form-actions">
        <Button variant="danger" busy={remove.isPending ? "Deleting…" : false} onClick={() => remove.mutate(undefined)}>
          Delete response
        </Button>
        <Button onClick={onDone}>Cancel</Button>
      </div>
    </div>
  );
}

/** Check first (a dry run lists what would be created and updated, and every bad row), then import. */
function ImportForm({ manages, onDone }: { manages: boolean; onDone: () => void }) {
  const file = useRef<HTMLInputElement>(null);
  const [chosen, setChosen] = useState<File | null>(null);
  const [upsert, setUpsert] = useState(false);
  const [createCategories, setCreateCategories] = useState(false);
  const [visibility, setVisibility] = useState<"personal" | "global">(manages ? "global" : "personal");
  const [report, setReport] = useState<ImportResult | null>(null);
  const options = (dryRun: boolean): ImportOptions => ({ dryRun, upsert, createCategories, visibility });
  const check = useAction((f: File) => canned.import(f, options(true)), { onDone: (r) => setReport(r) });
  const run = useAction((f: File) => canned.import(f, options(false)), {
    invalidate: [...INVALIDATE, ["canned", "categories"]],
    done: (r) => `Imported: ${r.created} created, ${r.updated} updated, ${r.error_count} rows skipped.`,
    onDone: (r) => (r.error_count ? setReport(r) : onDone()),
  });
  const reset = () => setReport(null);
  return (
    <form
      className="ui-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (chosen) check.mutate(chosen);
      }}
    >
      <p className="muted">
        An .xlsx or .csv file with the columns <code>shortcut</code>, <code>title</code>, <code>body</code> and{" "}
        <code>category</code> (common names such as “Text” or “Folder” are recognised). The header is row 1.
      </p>
      <Field label="File">
        {(p) => (
          <input
            {...p}
            ref={file}
            type="file"
            accept=".xlsx,.csv,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            onChange={(e) => {
              setChosen(e.target.files?.[0] ?? null);
              reset();
            }}
          />
        )}
      </Field>
      <label className="ui-check">
        <input type="checkbox" checked={upsert} onChange={(e) => (setUpsert(e.target.checked), reset())} /> Update responses whose shortcut exists
      </label>
      <label className="ui-check">
        <input type="checkbox" checked={createCategories} onChange={(e) => (setCreateCategories(e.target.checked), reset())} /> Create unknown categories
      </label>
      <Field label="Import as">
        {(p) => (
          <select {...p} value={visibility} onChange={(e) => (setVisibility(e.target.value as "personal" | "global"), reset())}>
            <option value="global" disabled={!manages}>
              Everyone's responses
            </option>
            <option value="personal">My own responses</option>
          </select>
        )}
      </Field>
      <ErrorText error={check.error ?? run.error} />
      {report && <ImportReport report={report} />}
      <div className="ui-form-actions">
        <Button type="submit" disabled={!chosen} busy={check.isPending ? "Checking…" : false}>
          Check file (dry run)
        </Button>
        <Button
          variant="primary"
          disabled={!chosen || !report || !report.dry_run || report.created + report.updated === 0}
          busy={run.isPending ? "Importing…" : false}
          onClick={() => chosen && run.mutate(chosen)}
        >
          Import {report?.dry_run ? report.created + report.updated : ""} rows
        </Button>
      </div>
    </form>
  );
}

function ImportReport({ report }: { report: ImportResult }) {
  return (
    <div role="status" data-testid="import-report" className="import-report">
      <p>
        {report.dry_run ? "Would create" : "Created"} <strong>{report.created}</strong>, {report.dry_run ? "would update" : "updated"}{" "}
        <strong>{report.updated}</strong> of {report.rows} rows; <strong>{report.error_count}</strong> rows have problems
        {report.dry_run ? " and would be skipped." : " and were skipped."}
      </p>
      {report.errors.length > 0 && (
        <table className="ui-table">
          <caption className="visually-hidden">Rows with problems</caption>
          <thead>
            <tr>
              <th scope="col">Row</th>
              <th scope="col">Column</th>
              <th scope="col">Problem</th>
            </tr>
          </thead>
          <tbody>
            {report.errors.map((e, i) => (
              <tr key={`${e.row}-${e.column}-${i}`}>
                <td>{e.row}</td>
                <td>{e.column}</td>
                <td>{e.detail}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {report.error_count > report.errors.length && <p className="muted">Showing the first {report.errors.length} problems.</p>}
    </div>
  );
}

function ExportButton({ format }: { format: "xlsx" | "csv" }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const download = async () => {
    setBusy(true);
    setError(null);
    try {
      const blob = await canned.export(format);
      const url = URL.createObjectURL(blob);
      const a = document.createElement("a");
      a.href = url;
      a.download = `canned-responses.${format}`;
      a.click();
      window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (exc) {
      setError(errorText(exc));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <Button onClick={() => void download()} busy={busy ? "Exporting…" : false} title={error ?? undefined}>
        Export {format}
      </Button>
      {error && <span role="alert" className="ui-field-error">Export failed: {error}</span>}
    </>
  );
}
