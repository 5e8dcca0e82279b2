// The visitor's satisfaction rating in the conversation panel and in its timeline.
import { useCsat, type Csat } from "./api";

const LABELS = ["", "Very poor", "Poor", "Okay", "Good", "Excellent"];

export const ratingText = (r: Csat) => `${r.rating}/5 · ${LABELS[r.rating] ?? ""}`;

/** ``<dt>/<dd>`` rows for the panel's details list: nothing until a rating arrives. */
export function CsatRows({ id }: { id: string }) {
  const csat = useCsat(id);
  const r = csat.data?.rating;
  if (!r) return null;
  return (
    <>
      <dt>Satisfaction</dt>
      <dd data-testid="csat-rating">
        <strong>{ratingText(r)}</strong>
        {r.comment ? <q className="csat-comment">{r.comment}</q> : null}
        <span className="muted"> ({r.channel === "email" ? "email survey" : "widget"})</span>
      </dd>
    </>
  );
}

/** The rating as one timeline entry (after the status changes it follows). */
export function CsatTimelineItem({ id }: { id: string }) {
  const csat = useCsat(id);
  const r = csat.data?.rating;
  if (!r) return null;
  return (
    <li data-testid="timeline-csat">
      <time dateTime={r.created_at}>{new Date(r.created_at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })}</time>{" "}
      <span>
        rated <strong>{ratingText(r)}</strong> by the visitor
      </span>
    </li>
  );
}
