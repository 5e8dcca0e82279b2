// Exports: start one for the dashboard's range, watch its progress (rows done of total)
// while the worker writes it, then download it through its signed, expiring link.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { errorText } from "../../api/client";
import { Badge, Button, EmptyState, ErrorText, Field, Select, type Tone } from "../../ui";
import { analyticsKeys, EXPORT_FORMATS, EXPORT_KINDS, exportsApi, type ExportJob, type Filters } from "./api";

type Kind = (typeof EXPORT_KINDS)[number];
type Format = (typeof EXPORT_FORMATS)[number];

const KIND_LABELS: Record<Kind, string> = {
  analytics: "Daily figures",
  conversations: "Conversations",
  messages: "Messages",
  tickets: "Tickets",
};

const TONES: Record<string, Tone> = { done: "success", failed: "danger", expired: "muted", queued: "muted", running: "info" };

function active(job: ExportJob): boolean {
  return job.status === "queued" || job.status === "running";
}

function sizeText(bytes: number | null): string {
  if (bytes === null) return "";
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function ExportsPanel({ filters }: { filters: Filters }) {
  const qc = useQueryClient();
  const [kind, setKind] = useState<Kind>("analytics");
  const [format, setFormat] = useState<Format>("csv");
  const list = useQuery({
    queryKey: analyticsKeys.exports,
    queryFn: exportsApi.list,
    // progress is live while something runs: the job updates rows every half second
    refetchInterval: (q) => (q.state.data?.items.some(active) ? 500 : false),
  });
  const start = useMutation({
    mutationFn: () => exportsApi.start({ kind, format, from: filters.from, to: filters.to, tz: filters.tz }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: analyticsKeys.exports }),
  });
  const items = list.data?.items ?? [];
  return (
    <section className="page-section analytics-exports" aria-labelledby="exports-title">
      <h2 id="exports-title">Exports</h2>
      <p className="muted small">
        {filters.from} to {filters.to} ({filters.tz}). Files are kept 24 hours; transcripts need the permission to see every conversation.
      </p>
      <form
        className="filters"
        onSubmit={(e) => {
          e.preventDefault();
          start.mutate();
        }}
      >
        <Field label="What">{(p) => <Select {...p} value={kind} options={EXPORT_KINDS.map((k) => ({ value: k, label: KIND_LABELS[k] }))} onChange={setKind} />}</Field>
        <Field label="Format">{(p) => <Select {...p} value={format} options={EXPORT_FORMATS.map((f) => ({ value: f, label: f.toUpperCase() }))} onChange={setFormat} />}</Field>
        <div className="export-submit">
          <Button type="submit" variant="primary" busy={start.isPending ? "Starting…" : false}>
            Start export
          </Button>
        </div>
      </form>
      {start.error && <p className="ui-alert" role="alert">Could not start the export: {errorText(start.error)}</p>}
      <ErrorText error={list.error} prefix="Could not load your exports" />
      {list.isPending && <p className="muted" role="status">Loading exports…</p>}
      {list.data && items.length === 0 && <EmptyState title="No exports yet">Start one above; it appears here with its progress.</EmptyState>}
      {items.length > 0 && (
        <ul className="export-list" aria-label="Your exports">
          {items.map((job) => (
            <li key={job.id} className="export-item" data-export-id={job.id} data-status={job.status}>
              <div className="export-line">
                <strong>{KIND_LABELS[job.kind as Kind] ?? job.kind}</strong> <span className="muted">{job.format.toUpperCase()}</span>{" "}
                <Badge tone={TONES[job.status] ?? "muted"}>{job.status}</Badge>
                <span className="muted small"> {new Date(job.created_at).toLocaleString()}</span>
              </div>
              {active(job) && (
                <div className="export-progress">
                  <progress max={1} value={job.progress} aria-label={`Export progress, ${Math.round(job.progress * 100)}%`} />
                  <span className="small" role="status">
                    {job.rows.toLocaleString()} {job.total_rows !== null ? `of ${job.total_rows.toLocaleString()} ` : ""}rows
                  </span>
                </div>
              )}
              {job.status === "done" && (
                <div className="export-line small">
                  {job.rows.toLocaleString()} rows {sizeText(job.size_bytes)}{" "}
                  {job.download_url && (
                    <a className="ui-btn ui-btn-secondary ui-btn-small" href={job.download_url} download>
                      Download
                    </a>
                  )}
                </div>
              )}
              {job.status === "failed" && <p className="ui-alert small">{job.error ?? "The export failed."}</p>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
