import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { logs, type ReplyLog } from "../../api/admin";
import { keys, type LogFilters } from "../../api/queries";
import { Badge, Button, Dialog, EmptyState, ErrorText, Field, Page, Section, Select, Table, useAction, type Column, type Tone } from "../../ui";

const OUTCOMES = ["answered", "no_answer", "handoff", "interrupted", "failed"];
const TYPES = ["auto_reply", "knowledge_base", "llm", "fallback"];
const VERDICTS = ["good", "bad", "corrected", "none"];
const OUTCOME_TONE: Record<string, Tone> = { answered: "success", no_answer: "warning", handoff: "info", interrupted: "muted", failed: "danger" };
const words = (s: string) => s.replace(/_/g, " ");
const options = (all: string[], any: string) => [{ value: "", label: any }, ...all.map((v) => ({ value: v, label: words(v) }))];

export function AnswerLogPage() {
  const [filters, setFilters] = useState<LogFilters>({});
  const [correcting, setCorrecting] = useState<ReplyLog | null>(null);
  const query = Object.fromEntries(Object.entries(filters).filter(([, v]) => v)) as LogFilters;
  const pages = useInfiniteQuery({
    queryKey: keys.logs(query),
    queryFn: ({ pageParam }) => logs.list({ ...query, cursor: pageParam, limit: 50 }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const summary = useQuery({ queryKey: keys.logSummary, queryFn: () => logs.summary() });
  const mark = useAction(({ row, verdict }: { row: ReplyLog; verdict: "good" | "bad" }) => logs.verdict(row.id, { verdict }), {
    invalidate: [["ai", "logs"]],
    done: (_r, { verdict }) => `Marked ${verdict}.`,
  });
  const items = pages.data?.pages.flatMap((p) => p.items) ?? [];
  const set = (k: keyof LogFilters) => (v: string) => setFilters((f) => ({ ...f, [k]: v }));

  const columns: Column<ReplyLog>[] = [
    { key: "at", header: "When", cell: (r) => new Date(r.created_at).toLocaleString() },
    {
      key: "qa",
      header: "Question and answer",
      cell: (r) => (
        <div className="qa">
          <div>
            <span className="muted">Q:</span> {r.question}
          </div>
          <div>
            <span className="muted">A:</span> <span className="clamp">{r.answer || "—"}</span>
          </div>
          {r.correction && (
            <div>
              <span className="muted">Correct answer:</span> {r.correction}
            </div>
          )}
        </div>
      ),
    },
    {
      key: "how",
      header: "Answered by",
      cell: (r) => (
        <>
          {words(r.response_type)}
          {r.provider_name ? <div className="muted small">{r.provider_name}</div> : null}
          {r.confidence !== null && <div className="muted small">confidence {r.confidence.toFixed(2)}</div>}
        </>
      ),
    },
    { key: "outcome", header: "Outcome", cell: (r) => <Badge tone={OUTCOME_TONE[r.outcome] ?? "neutral"}>{words(r.outcome)}</Badge> },
    {
      key: "verdict",
      header: "Verdict",
      cell: (r) => (r.verdict ? <Badge tone={r.verdict === "good" ? "success" : r.verdict === "bad" ? "danger" : "info"}>{r.verdict}</Badge> : <span className="muted">not reviewed</span>),
    },
    {
      key: "actions",
      header: "Review",
      actions: true,
      cell: (r) => (
        <>
          <Button small aria-label="Mark good" aria-pressed={r.verdict === "good"} onClick={() => mark.mutate({ row: r, verdict: "good" })}>
            Good
          </Button>
          <Button small aria-label="Mark bad" aria-pressed={r.verdict === "bad"} onClick={() => mark.mutate({ row: r, verdict: "bad" })}>
            Bad
          </Button>
          <Button small aria-label="Correct the answer" onClick={() => setCorrecting(r)}>
            Correct…
          </Button>
        </>
      ),
    },
  ];

  return (
    <Page title="AI answers" description="Every AI reply with how it was produced and how it ended. Mark answers to find what the knowledge base is missing.">
      {summary.data && summary.data.rows.length > 0 && (
        <Section title="Summary">
          <div className="ui-table-wrap">
            <table className="ui-table summary">
              <thead>
                <tr>
                  <th>Answered by</th>
                  <th>Replies</th>
                  <th>Answered</th>
                  <th>No answer</th>
                  <th>Handoffs</th>
                  <th>Good / bad</th>
                </tr>
              </thead>
              <tbody>
                {summary.data.rows.map((row) => (
                  <tr key={`${row.response_type}-${row.provider_name ?? ""}`}>
                    <td data-label="Answered by">
                      {words(row.response_type)}
                      {row.provider_name ? ` (${row.provider_name})` : ""}
                    </td>
                    <td data-label="Replies">{row.replies}</td>
                    <td data-label="Answered">{row.answered}</td>
                    <td data-label="No answer">{row.no_answer}</td>
                    <td data-label="Handoffs">{row.handoffs}</td>
                    <td data-label="Good / bad">
                      {row.good} / {row.bad}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </Section>
      )}
      <div className="filters" role="group" aria-label="Filters">
        <Field label="Outcome">{(p) => <Select {...p} value={filters.outcome ?? ""} options={options(OUTCOMES, "Any outcome")} onChange={set("outcome")} />}</Field>
        <Field label="Answered by">
          {(p) => <Select {...p} value={filters.response_type ?? ""} options={options(TYPES, "Anything")} onChange={set("response_type")} />}
        </Field>
        <Field label="Verdict">{(p) => <Select {...p} value={filters.verdict ?? ""} options={options(VERDICTS, "Any verdict")} onChange={set("verdict")} />}</Field>
      </div>
      <ErrorText error={pages.error} prefix="Could not load the answers" />
      <ErrorText error={mark.error} />
      {pages.data &&
        (items.length === 0 ? (
          <EmptyState title="No AI answers match">Answers appear here as soon as the AI replies to a visitor.</EmptyState>
        ) : (
          <Table
            caption="AI answers"
            columns={columns}
            rows={items}
            rowKey={(r) => r.id}
            hasMore={pages.hasNextPage}
            loadingMore={pages.isFetchingNextPage}
            onLoadMore={() => void pages.fetchNextPage()}
          />
        ))}
      <Dialog open={correcting !== null} title="Correct the answer" onClose={() => setCorrecting(null)}>
        {correcting && <Correction row={correcting} onDone={() => setCorrecting(null)} />}
      </Dialog>
    </Page>
  );
}

function Correction({ row, onDone }: { row: ReplyLog; onDone: () => void }) {
  const [text, setText] = useState(row.correction ?? "");
  const [note, setNote] = useState(row.verdict_note ?? "");
  const [tried, setTried] = useState(false);
  const save = useAction(() => logs.verdict(row.id, { verdict: "corrected", correction: text.trim(), note: note.trim() || null }), {
    invalidate: [["ai", "logs"]],
    done: "Correction saved.",
    onDone,
  });
  const error = text.trim() ? null : "Write the answer the AI should have given.";
  return (
    <form
      className="ui-form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        setTried(true);
        if (!error) save.mutate(undefined);
      }}
    >
      <p>
        <span className="muted">Question:</span> {row.question}
      </p>
      <Field label="Correct answer" error={tried ? error : null}>
        {(p) => <textarea {...p} rows={4} value={text} onChange={(e) => setText(e.target.value)} />}
      </Field>
      <Field label="Note (optional)">{(p) => <input {...p} maxLength={500} value={note} onChange={(e) => setNote(e.target.value)} />}</Field>
      <ErrorText error={save.error} />
      <div className="ui-form-actions">
        <Button type="submit" variant="primary" busy={save.isPending ? "Saving…" : false}>
          Save correction
        </Button>
      </div>
    </form>
  );
}
