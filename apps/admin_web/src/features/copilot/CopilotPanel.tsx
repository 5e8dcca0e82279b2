import "./copilot.css";
import { useEffect, useRef, useState } from "react";
import { errorText } from "../../api/client";
import { realtime } from "../../realtime/connector";
import type { Citation, Message } from "../../types";
import { insertIntoComposer } from "./insert";

interface Draft {
  requestId: string | null;
  text: string;
  done: boolean;
  citations: Citation[];
  cached?: boolean;
  error?: string | null;
}

const EMPTY: Draft = { requestId: null, text: "", done: true, citations: [] };

/** The copilot next to a conversation: a suggested reply with citations, the summary and the
 * visitor's sentiment trend. Drafts stream in over /agent and go into the composer to edit. */
export function CopilotPanel({ conversationId, messages, canReply }: {
  conversationId: string;
  messages: Message[];
  canReply: boolean;
}) {
  const [suggestion, setSuggestion] = useState<Draft>(EMPTY);
  const [summary, setSummary] = useState<Draft>(EMPTY);
  const [open, setOpen] = useState<string | null>(null);
  const pending = useRef<{ suggestion: string | null; summary: string | null }>({ suggestion: null, summary: null });

  useEffect(() => {
    setSuggestion(EMPTY);
    setSummary(EMPTY);
    setOpen(null);
    pending.current = { suggestion: null, summary: null };
    const mine = (p: { conversation_id: string; request_id: string | null }, kind: "suggestion" | "summary") =>
      p.conversation_id === conversationId && (p.request_id === null || p.request_id === pending.current[kind]);
    const offs = [
      realtime.on("suggestion_stream", (p) => {
        if (mine(p, "suggestion")) setSuggestion((d) => ({ ...d, text: d.text + (p.delta ?? "") }));
      }),
      realtime.on("suggestion", (p) => {
        if (mine(p, "suggestion"))
          setSuggestion({ requestId: p.request_id, text: p.text, done: true, citations: p.citations, error: p.error ?? null });
      }),
      realtime.on("summary_stream", (p) => {
        if (mine(p, "summary")) setSummary((d) => ({ ...d, text: d.text + (p.delta ?? "") }));
      }),
      // an automatic summary (on handoff) has no request id: it is shown as it arrives
      realtime.on("summary", (p) => {
        if (mine(p, "summary"))
          setSummary({ requestId: p.request_id, text: p.text, done: true, citations: [], cached: p.cached, error: p.error ?? null });
      }),
    ];
    return () => offs.forEach((off) => off());
  }, [conversationId]);

  const ask = async (kind: "suggestion" | "summary") => {
    const set = kind === "suggestion" ? setSuggestion : setSummary;
    set({ requestId: null, text: "", done: false, citations: [] });
    try {
      const event = kind === "suggestion" ? "suggest_reply" : "summarize";
      const ack = await realtime.request(event, { conversation_id: conversationId });
      pending.current[kind] = ack.request_id;
    } catch (exc) {
      set({ ...EMPTY, error: errorText(exc) });
    }
  };

  const moods = messages.filter((m) => m.sender === "visitor" && typeof m.sentiment === "number").map((m) => m.sentiment as number);
  const recent = moods.slice(-5);
  const average = recent.length ? recent.reduce((a, b) => a + b, 0) / recent.length : null;

  return (
    <section className="copilot" aria-label="Copilot" data-testid="copilot">
      <h3>Copilot</h3>
      <div className="copilot-mood" data-testid="sentiment">
        <span>Visitor mood: </span>
        {average === null ? (
          <span>no messages yet</span>
        ) : (
          <>
            <strong>{average <= -0.3 ? "upset" : average >= 0.3 ? "happy" : "neutral"}</strong>
            <span className="trend" aria-label="Sentiment of the last messages">
              {recent.map((s, i) => (
                <i key={i} title={s.toFixed(2)} className={s <= -0.3 ? "neg" : s >= 0.3 ? "pos" : "neu"}>
                  {s <= -0.3 ? "▼" : s >= 0.3 ? "▲" : "●"}
                </i>
              ))}
            </span>
          </>
        )}
      </div>

      <div className="copilot-block">
        <div className="copilot-head">
          <strong>Summary</strong>
          <button type="button" onClick={() => void ask("summary")} disabled={!summary.done}>
            {summary.text ? "Refresh" : "Summarize"}
          </button>
        </div>
        {summary.error && <p role="alert" className="error">{summary.error}</p>}
        {summary.text && <p data-testid="copilot-summary">{summary.text}</p>}
      </div>

      <div className="copilot-block">
        <div className="copilot-head">
          <strong>Suggested reply</strong>
          <button type="button" onClick={() => void ask("suggestion")} disabled={!suggestion.done}>
            Suggest a reply
          </button>
        </div>
        {suggestion.error && <p role="alert" className="error">{suggestion.error}</p>}
        {suggestion.text && (
          <>
            <p className="copilot-draft" data-testid="copilot-suggestion" aria-busy={!suggestion.done}>
              {suggestion.text}
            </p>
            {suggestion.citations.length > 0 && (
              <ul className="citations" aria-label="Sources">
                {suggestion.citations.map((c) => (
                  <li key={c.article_id}>
                    <button type="button" className="link" aria-expanded={open === c.article_id}
                      onClick={() => setOpen(open === c.article_id ? null : c.article_id)}>
                      {c.title}
                    </button>
                    {open === c.article_id && <blockquote data-testid="citation-text">{c.excerpt || "(no excerpt)"}</blockquote>}
                  </li>
                ))}
              </ul>
            )}
            {suggestion.done && (
              <button type="button" className="primary" disabled={!canReply}
                title={canReply ? undefined : "Take over to reply"}
                onClick={() => insertIntoComposer(conversationId, suggestion.text)}>
                Use in reply
              </button>
            )}
          </>
        )}
      </div>
    </section>
  );
}
