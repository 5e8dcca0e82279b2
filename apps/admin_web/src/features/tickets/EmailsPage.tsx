// The outbox for admins: every email Baton sends (welcome, ticket mail, transcripts) with its
// status, attempts and last error; a failed or skipped one can be sent again.
import { useInfiniteQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, errorText, ok } from "../../api/client";
import type { components } from "../../api/schema";
import { Badge, Button, EmptyState, ErrorText, Field, Page, Select, Table, toast, type Column } from "../../ui";

type Email = components["schemas"]["EmailOut"];

const STATUSES = ["", "queued", "sending", "sent", "failed", "skipped"];

function tone(status: string): "success" | "danger" | "warning" | "muted" {
  return status === "sent" ? "success" : status === "failed" ? "danger" : status === "skipped" ? "muted" : "warning";
}

export function EmailsPage() {
  const client = useQueryClient();
  const [status, setStatus] = useState("");
  const [resending, setResending] = useState<string | null>(null);
  const pages = useInfiniteQuery({
    queryKey: ["emails", status],
    queryFn: ({ pageParam }) =>
      ok(api.GET("/api/v1/emails", { params: { query: { status: status || undefined, cursor: pageParam, limit: 50 } } })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const items = pages.data?.pages.flatMap((p) => p.items) ?? [];
  const resend = async (e: Email) => {
    setResending(e.id);
    try {
      await ok(api.POST("/api/v1/emails/{email_id}/resend", { params: { path: { email_id: e.id } } }));
      toast(`Queued again for ${e.to}.`);
      void client.invalidateQueries({ queryKey: ["emails"] });
    } catch (exc) {
      toast(errorText(exc), "error");
    } finally {
      setResending(null);
    }
  };
  const columns: Column<Email>[] = [
    { key: "created", header: "Queued", cell: (e) => new Date(e.created_at).toLocaleString() },
    { key: "to", header: "To", cell: (e) => <span className="break">{e.to}</span> },
    {
      key: "subject",
      header: "Subject",
      cell: (e) => (
        <>
          {e.subject}
          <div className="muted small">{e.kind.replace(/_/g, " ")}</div>
        </>
      ),
    },
    { key: "status", header: "Status", cell: (e) => <Badge tone={tone(e.status)}>{e.status}</Badge> },
    {
      key: "attempts",
      header: "Attempts",
      cell: (e) => (
        <>
          {e.attempts}
          {e.last_error && <div className="muted small break" title={e.last_error}>{e.last_error.slice(0, 120)}</div>}
        </>
      ),
    },
    {
      key: "actions",
      header: "Actions",
      actions: true,
      cell: (e) => (
        <Button small onClick={() => void resend(e)} busy={resending === e.id ? "Queuing…" : false}>
          Send again
        </Button>
      ),
    },
  ];
  return (
    <Page
      title="Emails"
      description="The outbox: every email with its attempts and last error. Failed sends are retried with backoff; “Send again” queues a copy."
    >
      <div className="filters" role="group" aria-label="Filters">
        <Field label="Status">
          {(p) => <Select {...p} value={status} options={STATUSES.map((s) => ({ value: s, label: s || "Any" }))} onChange={setStatus} />}
        </Field>
      </div>
      <ErrorText error={pages.error} prefix="Could not load the outbox" />
      {pages.data &&
        (items.length === 0 ? (
          <EmptyState title="No emails" />
        ) : (
          <Table
            caption="Emails"
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
