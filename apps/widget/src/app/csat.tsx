// The satisfaction card: after a conversation is resolved (and the configured delay) the
// visitor rates it 1-5, may add a comment, and sees a thank-you. Five real buttons in a
// radio-like group (Tab reaches them, arrows move between them, Enter/Space picks).
import type { JSX } from "preact";
import { useRef, useState } from "preact/hooks";
import type { Chat, State } from "./store";

const LABELS = ["Very poor", "Poor", "Okay", "Good", "Excellent"];

export function CsatCard({ chat, state }: { chat: Chat; state: State }): JSX.Element | null {
  const [picked, setPicked] = useState<number | null>(null);
  const [comment, setComment] = useState("");
  const group = useRef<HTMLDivElement>(null);
  const csat = state.csat;
  if (!csat) return null;
  if (csat.state === "sent") {
    return (
      <div class="card csat sent" data-testid="csat-thanks" role="status">
        <strong>Thanks for your feedback!</strong>
        <button type="button" class="link" onClick={() => chat.dismissRating()}>Close</button>
      </div>
    );
  }
  const move = (e: KeyboardEvent, n: number): void => {
    const step = e.key === "ArrowRight" || e.key === "ArrowUp" ? 1 : e.key === "ArrowLeft" || e.key === "ArrowDown" ? -1 : 0;
    if (!step) return;
    e.preventDefault();
    const next = Math.min(5, Math.max(1, n + step));
    setPicked(next);
    const buttons = group.current ? group.current.querySelectorAll("button") : null;
    if (buttons) (buttons[next - 1] as HTMLButtonElement).focus();
  };
  const onSubmit = (e: Event): void => {
    e.preventDefault();
    if (picked) void chat.rate(picked, comment);
  };
  return (
    <form class="card csat" data-testid="csat-card" onSubmit={onSubmit}>
      <strong id="csat-question">{csat.question}</strong>
      <div class="csat-scale" role="radiogroup" aria-labelledby="csat-question" ref={group}>
        {LABELS.map((label, i) => {
          const n = i + 1;
          return (
            <button type="button" key={n} role="radio" aria-checked={picked === n} aria-label={`${n} out of 5, ${label}`}
              title={label} tabIndex={picked === n || (picked === null && n === 1) ? 0 : -1}
              class={picked === n ? "on" : ""} data-rating={n}
              onClick={() => setPicked(n)} onKeyDown={(e) => move(e, n)}>
              {n}
            </button>
          );
        })}
      </div>
      {picked ? (
        <label>
          Anything to add? (optional)
          <textarea name="comment" rows={2} maxLength={1000} value={comment}
            onInput={(e) => setComment((e.currentTarget as HTMLTextAreaElement).value)} />
        </label>
      ) : null}
      {csat.error ? <span class="error" role="alert">{csat.error}</span> : null}
      <div class="offline-actions">
        <button type="submit" disabled={!picked || csat.state === "sending"}>
          {csat.state === "sending" ? "Sending…" : "Send"}
        </button>
        <button type="button" class="link" onClick={() => chat.dismissRating()}>Not now</button>
      </div>
    </form>
  );
}
