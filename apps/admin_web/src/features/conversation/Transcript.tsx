import { useLayoutEffect, useRef, type ReactNode } from "react";
import { Markdown } from "../../lib/Markdown";
import { clock } from "../../lib/time";
import { discard, retry, type Outgoing } from "../../outbox";
import type { Message } from "../../types";
import type { Typing } from "./useConversation";
import { VerdictButtons } from "../copilot/VerdictButtons";
import { MessageFiles } from "./Attachments";

interface Props {
  messages: Message[];
  streams: Record<string, string>;
  pending: Outgoing[];
  typing: Typing;
  meId: string;
  visitorName: string;
}

/**
 * The transcript, a live log. It stays pinned to the bottom while the agent is there (so a
 * streaming answer grows in place instead of pushing the view around) and leaves the scroll
 * position alone when they scrolled up to read.
 */
export function Transcript({ messages, streams, pending, typing, meId, visitorName }: Props) {
  const scroller = useRef<HTMLDivElement>(null);
  const content = useRef<HTMLDivElement>(null);
  const pinned = useRef(true);

  useLayoutEffect(() => {
    const el = scroller.current;
    const inner = content.current;
    if (!el || !inner) return;
    const onScroll = () => {
      pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 48;
    };
    const stick = () => {
      if (pinned.current) el.scrollTop = el.scrollHeight;
    };
    el.addEventListener("scroll", onScroll, { passive: true });
    const observer = new ResizeObserver(stick);
    observer.observe(inner);
    stick();
    return () => {
      el.removeEventListener("scroll", onScroll);
      observer.disconnect();
    };
  }, []);

  const streaming = Object.entries(streams);
  const typingText = typing.visitor
    ? `${visitorName} is typing…`
    : typing.agents.length
      ? `${typing.agents.join(", ")} ${typing.agents.length > 1 ? "are" : "is"} typing…`
      : "";

  return (
    <div className="transcript-wrap">
      <div className="transcript" ref={scroller} tabIndex={0} aria-label="Transcript">
        <div ref={content} role="log" aria-live="polite" aria-relevant="additions" className="messages">
          {messages.length === 0 && streaming.length === 0 && pending.length === 0 && (
            <p className="empty">No messages yet.</p>
          )}
          {messages.map((m) => (
            <Bubble key={m.id} message={m} meId={meId} visitorName={visitorName}>
              {m.sender === "agent" && m.author?.id === meId && m.client_id ? (
                <span className="delivery acked" title="Received by the server">
                  ✓ Sent
                </span>
              ) : null}
            </Bubble>
          ))}
          {pending.map((p) => (
            <Bubble
              key={p.client_id}
              meId={meId}
              visitorName={visitorName}
              message={{
                id: p.client_id,
                conversation_id: p.conversation_id,
                sender: "agent",
                text: p.text,
                internal: p.internal,
                client_id: p.client_id,
                author: { id: meId, name: "" },
                suggestions: [],
                created_at: p.created_at,
                attachments: p.attachments ?? [],
              }}
            >
              {p.state === "failed" ? (
                <span className="delivery failed" role="alert">
                  Not sent: {p.error}{" "}
                  <button type="button" className="link" onClick={() => retry(p.client_id)}>
                    Retry
                  </button>{" "}
                  <button type="button" className="link" onClick={() => discard(p.client_id)}>
                    Discard
                  </button>
                </span>
              ) : (
                <span className="delivery pending">Sending…</span>
              )}
            </Bubble>
          ))}
          {streaming.map(([id, text]) => (
            <div key={id} className="msg msg-bot streaming" aria-busy="true">
              <div className="msg-head">
                <span className="who">AI</span>
                <span className="when">writing…</span>
              </div>
              <div className="msg-text md">
                <Markdown text={text} />
                <span className="caret" aria-hidden="true" />
              </div>
            </div>
          ))}
        </div>
      </div>
      <div className="typing" aria-live="polite">
        {typingText}
      </div>
    </div>
  );
}

/** A message of files only reads as their names: the files show, not the names twice. */
function filesOnly(m: Message): boolean {
  const files = m.attachments ?? [];
  return files.length > 0 && m.text === files.map((f) => f.filename).join(", ");
}

function Bubble({ message: m, meId, visitorName, children }: { message: Message; meId: string; visitorName: string; children?: ReactNode }) {
  const mine = m.sender === "agent" && m.author?.id === meId;
  const who =
    m.sender === "visitor"
      ? visitorName
      : m.sender === "bot"
        ? "AI"
        : m.sender === "system"
          ? "System"
          : mine
            ? "You"
            : m.author?.name || "Agent";
  const kind = m.internal ? "internal" : m.sender;
  if (m.sender === "system" && !m.internal) {
    return (
      <div className="msg msg-system" data-sender="system">
        <span className="visually-hidden">System: </span>
        {m.text} <span className="when">{clock(m.created_at)}</span>
      </div>
    );
  }
  return (
    <article
      className={`msg msg-${kind}${mine ? " mine" : ""}`}
      data-sender={m.sender}
      data-internal={m.internal || undefined}
      aria-label={`${m.internal ? "Internal note by " : ""}${who}`}
    >
      <div className="msg-head">
        <span className="who">
          {m.sender === "bot" && <span className="tag tag-ai">AI</span>}
          {m.internal && <span className="tag tag-note">Internal note</span>}
          {m.sender !== "bot" && who}
        </span>
        <time className="when" dateTime={m.created_at}>
          {clock(m.created_at)}
        </time>
      </div>
      {filesOnly(m) ? null : (
        <div className="msg-text md">
          <Markdown text={m.text} markup={m.sender !== "visitor"} />
        </div>
      )}
      <MessageFiles files={m.attachments} conversationId={m.conversation_id} canAnnotate />
      {m.sender === "bot" && m.suggestions.length > 0 && (
        <ul className="suggestions" aria-label="Suggested follow-ups shown to the visitor">
          {m.suggestions.map((s) => (
            <li key={s}>{s}</li>
          ))}
        </ul>
      )}
      {m.sender === "bot" && typeof m.meta?.source === "string" && !["no_answer", "failed"].includes(String(m.meta?.outcome)) && (
        <div className="msg-foot source">Answered from: {m.meta.source.replace(/_/g, " ")}</div>
      )}
      {m.internal && <div className="msg-foot">Only agents can see this.</div>}
      <VerdictButtons message={m} />
      {children}
    </article>
  );
}
