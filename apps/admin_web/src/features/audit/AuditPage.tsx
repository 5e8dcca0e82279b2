import { useInfiniteQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { audit, type AuditEntry, type AuditQuery } from "../../api/admin";
import { errorText } from "../../api/client";
import { keys } from "../../api/queries";
import { Badge, Button, EmptyState, ErrorText, Field, Page, Select, Table, toast, type Column } from "../../ui";
import { changesOf, show, toCsv } from "./audit";

const TARGETS = ["", "user", "role", "api_key", "settings", "widget", "ai_provider", "auto_reply", "article"];
const EXPORT_LIMIT = 5000;

export function AuditPage() {
  const [action, setAction] = useState("");
  const [targetType, setTargetType] = useState("");
  const [targetId, setTargetId] = useState("");
  const [actorId, setActorId] = useState("");
  const [filters, setFilters] = useState<AuditQuery>({});
  const [exporting, setExporting] = useState(false);
  useEffect(() => {
    const timer = window.setTimeout(() => {
      const next: AuditQuery = {};
      if (action.trim()) next.action = action.trim();
      if (targetType) next.target_type = targetType;
      if (targetId.trim()) next.target_id = targetId.trim();
      if (actorId.trim()) next.actor_id = actorId.trim();
      setFilters(next);
    }, 300);
    return () => window.clearTimeout(timer);
  }, [action, targetType, targetId, actorId]);
  const pages = useInfiniteQuery({
    queryKey: keys.audit(filters as Record<string, string>),
    queryFn: ({ pageParam }) => audit.list({ ...filters, cursor: pageParam, limit: 50 }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const items = pages.data?.pages.flatMap((p) => p.items) ?? [];

  const exportCsv = async () => {
    setExporting(true);
    try {
      const all: AuditEntry[] = [];
      let cursor: string | undefined;
      do {
        const page = await audit.list({ ...filters, cursor, limit: 200 });
        all.push(...page.items);
        cursor = page.next_cursor ?? undefined;
      } while (cursor && all.length < EXPORT_LIMIT);
      const url = URL.createObjectURL(new Blob([toCsv(all)], { type: "text/csv" }));
      const a = document.createElement("a");
      a.href = url;
      a.download = `baton-audit-${new Date().toISOString().slice(0, 10)}.csv`;
      a.click();
      URL.revokeObjectURL(url);
      toast(`Exported ${all.length} entries${cursor ? ` (the first ${EXPORT_LIMIT})` : ""}.`);
    } catch (exc) {
      toast(`Export failed: ${errorText(exc)}`, "error");
    } finally {
      setExporting(false);
    }
  };

  const columns: Column<AuditEntry>[] = [
    { key: "at", header: "When", cell: (e) => new Date(e.at).toLocaleString() },
    {
      key: "actor",
      header: "Who",
      cell: (e) => (
        <>
          {e.actor.name || "—"} <Badge tone="muted">{e.actor.kind.replace("_", " ")}</Badge>
        </>
      ),
    },
    { key: "action", header: "Action", cell: (e) => <code>{e.action}</code> },
    {
      key: "target",
      header: "Target",
      cell: (e) => (
        <>
          {e.target_type}
          {e.target_id && <div className="muted small break">{e.target_id}</div>}
        </>
      ),
    },
    {
      key: "changes",
      header: "Before → after",
      cell: (e) => {
        const changes = changesOf(e);
        if (!changes.length) return <span className="muted">—</span>;
        return (
          <dl className="changes">
            {changes.map((c) => (
              <div key={c.field}>
                <dt>{c.field}</dt>
                <dd>
                  <del>{show(c.before)}</del> → <ins>{show(c.after)}</ins>
                </dd>
              </div>
            ))}
          </dl>
        );
      },
    },
  ];

  return (
    <Page
      title="Audit log"
      description="Every admin change: who made it, when, and what it was before and after. (Conversation state changes are in each conversation’s timeline.)"
      actions={
        <Button onClick={() => void exportCsv()} busy={exporting ? "Exporting…" : false}>
          Export CSV
        </Button>
      }
    >
      <div className="filters" role="group" aria-label="Filters">
        <Field label="Action" hint="e.g. users.updated, or users.* for a domain">
          {(p) => <input {...p} value={action} onChange={(e) => setAction(e.target.value)} />}
        </Field>
        <Field label="Target type">
          {(p) => (
            <Select {...p} value={targetType} options={TARGETS.map((t) => ({ value: t, label: t ? t.replace("_", " ") : "Anything" }))} onChange={setTargetType} />
          )}
        </Field>
        <Field label="Target id">{(p) => <input {...p} value={targetId} onChange={(e) => setTargetId(e.target.value)} />}</Field>
        <Field label="Actor id">{(p) => <input {...p} value={actorId} onChange={(e) => setActorId(e.target.value)} />}</Field>
      </div>
      <ErrorText error={pages.error} prefix="Could not load the audit log" />
      {pages.data &&
        (items.length === 0 ? (
          <EmptyState title="No entries match" />
        ) : (
          <Table
            caption="Audit entries"
            columns={columns}
            rows={items}
            rowKey={(e) => e.id}
            hasMore={pages.hasNextPage}
            loadingMore={pages.isFetchingNextPage}
            onLoadMore={() => void pages.fetchNextPage()}
          />
        ))}
    </Page>
  );
}
