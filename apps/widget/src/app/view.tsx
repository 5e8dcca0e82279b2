import type { JSX } from "preact";
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { type Chat, type ChatMessage, type Config, HANDOFF_WAIT_MS, type State } from "./store";
import { OfflineForm, TranscriptLink } from "./offline";
import { CsatCard } from "./csat";
import { clock, countdown, rich } from "./text";
import { Away } from "./away";
import { AttachButton, Files, UploadTray, filesOf } from "./attachments";
import { EmojiButton } from "./emoji";
import { insertAt } from "./emoji-list";

export interface Layout {
  open: boolean;
  width: number;
  height: number;
}

interface Props {
  chat: Chat;
  config: Config;
  mobile: boolean;
  onLayout: (layout: Layout) => void;
}

const PANEL = { width: 380, height: 640 };

function useChat(chat: Chat): State {
  const [, setVersion] = useState(0);
  useEffect(() => chat.subscribe(() => setVersion((v) => v + 1)), [chat]);
  return chat.state;
}

function useNow(active: boolean): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!active) return undefined;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [active]);
  return now;
}

/** Black or white text, whichever reads better on the theme colour. */
function onColor(hex: string): string {
  const n = parseInt(hex.slice(1), 16);
  const [r, g, b] = [(n >> 16) & 255, (n >> 8) & 255, n & 255].map((c) => {
    const v = c / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.45 ? "#111827" : "#ffffff";
}

export function App({ chat, config, mobile, onLayout }: Props): JSX.Element {
  const state = useChat(chat);
  const launcher = useRef<HTMLButtonElement>(null);

  useLayoutEffect(() => {
    if (state.open) {
      onLayout({ open: true, ...PANEL });
      return;
    }
    const el = launcher.current;
    if (!el) return;
    const box = el.getBoundingClientRect();
    onLayout({ open: false, width: Math.ceil(box.width) + 16, height: Math.ceil(box.height) + 16 });
  }, [state.open, state.unread > 0, config.launcher_text, config.position]);

  const style = {
    "--accent": /^#[0-9a-fA-F]{6}$/.test(config.color) ? config.color : "#4f46e5",
    "--on-accent": /^#[0-9a-fA-F]{6}$/.test(config.color) ? onColor(config.color) : "#ffffff",
  } as Record<string, string>;
  const side = config.position === "left" ? "left" : "right";

  if (!state.open) {
    return (
      <div class={`root closed ${side}`} style={style}>
        <button
          ref={launcher}
          type="button"
          class={`launcher${config.launcher_text ? " with-text" : ""}`}
          aria-label={state.unread ? `Open chat, ${state.unread} unread` : "Open chat"}
          onClick={() => chat.setOpen(true)}
        >
          <svg viewBox="0 0 24 24" width="26" height="26" aria-hidden="true">
            <path
              fill="currentColor"
              d="M12 3C6.5 3 2 6.6 2 11c0 2.1 1 4 2.7 5.4L4 21l4.6-2.3c1.1.3 2.2.4 3.4.4 5.5 0 10-3.6 10-8s-4.5-8-10-8z"
            />
          </svg>
          {config.launcher_text ? <span class="launcher-text">{config.launcher_text}</span> : null}
          {state.unread > 0 ? (
            <span class="badge" data-testid="unread">
              {state.unread > 99 ? "99+" : state.unread}
            </span>
          ) : null}
        </button>
      </div>
    );
  }
  return (
    <div class={`root open${mobile ? " mobile" : ""}`} style={style}>
      <Panel chat={chat} state={state} config={config} />
    </div>
  );
}

/** Intercom-style wording of the team's usual first reply ("in a few minutes"). */
export function replyExpectation(seconds: number | null | undefined): string | null {
  if (seconds === null || seconds === undefined || !(seconds >= 0)) return null;
  if (seconds < 60) return "typically replies in under a minute";
  if (seconds < 5 * 60) return "typically replies in a few minutes";
  if (seconds < 60 * 60) return "typically replies in under an hour";
  if (seconds < 4 * 3600) return "typically replies in a few hours";
  if (seconds < 24 * 3600) return "typically replies within a day";
  return "typically replies in a few days";
}

function statusLine(state: State, config: Config): string {
  if (state.connection !== "online") return state.connection === "connecting" ? "Connecting…" : "Reconnecting…";
  const expectation = config.online !== false ? replyExpectation(config.typical_reply_seconds) : null;
  switch (state.status) {
    case "waiting":
      return expectation ? `Waiting for a person · the team ${expectation}` : "Waiting for a person";
    case "agent": {
      const agent = [...state.messages].reverse().find((m) => m.sender === "agent" && m.author);
      return agent && agent.author ? `You are chatting with ${agent.author}` : "You are chatting with a person";
    }
    case "resolved":
      return "This conversation has ended";
    default:
      return expectation ? `AI assistant · the team ${expectation}` : "AI assistant · a person is one click away";
  }
}

function Panel({ chat, state, config }: { chat: Chat; state: State; config: Config }): JSX.Element {
  const list = useRef<HTMLDivElement>(null);
  const input = useRef<HTMLTextAreaElement>(null);
  const [draft, setDraft] = useState("");
  const now = useNow(state.status === "waiting");

  useEffect(() => {
    if (state.status === "waiting") chat.checkHandoffTimeout(now);
  }, [now, state.status]);

  const last = state.messages[state.messages.length - 1];
  useLayoutEffect(() => {
    const el = list.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [state.messages.length, last && last.text, state.typing, state.status, state.handoffTimedOut]);

  useEffect(() => {
    if (input.current) input.current.focus();
  }, []);

  const uploading = state.uploads.some((u) => u.state === "uploading");
  const ready = state.uploads.some((u) => u.state === "done");
  const submit = (e?: Event): void => {
    if (e) e.preventDefault();
    if ((!draft.trim() && !ready) || uploading) return;
    chat.send(draft);
    setDraft("");
    if (input.current) input.current.style.height = "";
  };

  const first = state.messages[0];
  const showWelcome = !!state.welcome && !(first && first.sender === "bot" && first.text === state.welcome);
  const canAskForPerson = state.status === "bot" || state.status === "resolved";
  // one control offers a person (the button below): the AI's "Talk to a person" chip is not a second
  const suggestions =
    last && last.sender === "bot" && last.state === "sent" && last.suggestions.length
      ? last.suggestions.filter((s) => s !== TALK_TO_PERSON)
      : [];

  return (
    <section
      class="panel"
      aria-label={config.title}
      data-offline={state.offline ? state.offline.reason : undefined}
      onDragOver={(e) => {
        if (e.dataTransfer && Array.from(e.dataTransfer.types).includes("Files")) e.preventDefault();
      }}
      onDrop={(e) => {
        const files = filesOf(e.dataTransfer);
        if (!files.length) return;
        e.preventDefault();
        chat.attach(files);
      }}
    >
      <header class="header">
        <div class="titles">
          <h1 class="title">{config.title}</h1>
          <p class="subtitle" data-testid="status-line">
            {statusLine(state, config)}
          </p>
        </div>
        <button
          type="button"
          class="sound"
          aria-pressed={state.muted}
          aria-label={state.muted ? "Sounds off: turn on" : "Sounds on: turn off"}
          title={state.muted ? "Turn sounds on" : "Turn sounds off"}
          data-testid="sound"
          onClick={() => chat.toggleSound()}
        >
          <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">
            <path fill="currentColor" d="M3 9v6h4l5 5V4L7 9H3z" />
            {state.muted ? (
              <path fill="currentColor" d="m16.5 8.9 1.4-1.4 2.1 2.1 2.1-2.1 1.4 1.4-2.1 2.1 2.1 2.1-1.4 1.4-2.1-2.1-2.1 2.1-1.4-1.4 2.1-2.1z" />
            ) : (
              <path fill="currentColor" d="M16.5 12a4.5 4.5 0 0 0-2.5-4v8a4.5 4.5 0 0 0 2.5-4zM14 3.2v2.1a7 7 0 0 1 0 13.4v2.1a9 9 0 0 0 0-17.6z" />
            )}
          </svg>
        </button>
        <button type="button" class="close" aria-label="Close chat" onClick={() => chat.setOpen(false)}>
          <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
            <path fill="currentColor" d="M6.4 5 5 6.4 10.6 12 5 17.6 6.4 19 12 13.4 17.6 19 19 17.6 13.4 12 19 6.4 17.6 5 12 10.6z" />
          </svg>
        </button>
      </header>
      {state.connection === "offline" ? (
        <div class="banner offline" role="status" data-testid="offline">
          Connection lost. Messages will be sent when you are back online.
        </div>
      ) : null}
      <Away offline={state.offline} />
      <div class="messages" ref={list} role="log" aria-live="polite">
        {showWelcome ? (
          <div class="msg bot welcome" data-testid="welcome">
            <div class="bubble">{rich(state.welcome, true)}</div>
          </div>
        ) : null}
        {state.messages.map((m) => (
          <Message key={m.key} m={m} onRetry={() => chat.retry(m.key)} />
        ))}
        {state.typing ? (
          <div class={`typing ${state.typing.sender}`} data-testid="typing" aria-label="typing">
            <span class="dots">
              <i />
              <i />
              <i />
            </span>
            {state.typing.sender === "agent" ? <span>{state.typing.name || "An agent"} is typing…</span> : null}
          </div>
        ) : null}
        {state.status === "waiting" && !state.offline && state.agentsOnline !== false ? (
          <Queue chat={chat} state={state} />
        ) : null}
        {state.offline ? <OfflineForm chat={chat} state={state} /> : null}
        {state.csat ? <CsatCard chat={chat} state={state} /> : null}
        {state.status === "resolved" && state.sessionReady ? (
          <div class="ended" data-testid="conversation-ended">
            <span>This conversation has ended. Write below to reopen it, or</span>
            <button
              type="button"
              class="link"
              data-testid="new-conversation"
              disabled={state.startingOver}
              onClick={() => void chat.startOver()}
            >
              start a new conversation
            </button>
          </div>
        ) : null}
      </div>
      <footer class="footer">
        {suggestions.length ? (
          <div class="suggestions" data-testid="suggestions">
            {suggestions.map((s) => (
              <button type="button" class="chip" onClick={() => chat.send(s)}>
                {s}
              </button>
            ))}
          </div>
        ) : null}
        {state.notice ? <p class="notice">{state.notice}</p> : null}
        {canAskForPerson ? (
          <button
            type="button"
            class="ask-person"
            data-testid="talk-to-person"
            disabled={state.requestingAgent || !state.sessionReady}
            onClick={() => void chat.requestAgent()}
          >
            Talk to a person
          </button>
        ) : null}
        <UploadTray chat={chat} uploads={state.uploads} />
        <form class="composer" onSubmit={submit}>
          <AttachButton chat={chat} disabled={!state.sessionReady} />
          <EmojiButton
            disabled={!state.sessionReady}
            onPick={(emoji) => {
              const box = input.current;
              const at = insertAt(draft, emoji, box ? box.selectionStart : draft.length, box ? box.selectionEnd : draft.length);
              setDraft(at.text);
              requestAnimationFrame(() => {
                if (!box) return;
                box.focus();
                box.setSelectionRange(at.caret, at.caret);
              });
            }}
          />
          <textarea
            ref={input}
            rows={1}
            maxLength={10000}
            placeholder="Write a message…"
            aria-label="Message"
            value={draft}
            onInput={(e) => {
              const box = e.currentTarget as HTMLTextAreaElement;
              setDraft(box.value);
              box.style.height = "auto"; // grow with the text, up to the CSS max-height
              box.style.height = `${box.scrollHeight + 2}px`;
              chat.typed();
            }}
            onKeyDown={(e) => {
              if (e.key === "Enter" && !e.shiftKey && !e.isComposing) submit(e);
            }}
            onPaste={(e) => {
              const files = filesOf(e.clipboardData);
              if (!files.length) return;
              e.preventDefault();
              chat.attach(files);
            }}
          />
          <button type="submit" class="send" aria-label="Send" disabled={(!draft.trim() && !ready) || uploading}>
            <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
              <path fill="currentColor" d="M3 20.5 21 12 3 3.5l.01 6.6L15 12 3.01 13.9z" />
            </svg>
          </button>
        </form>
        <TranscriptLink chat={chat} state={state} />
        <p class="powered">Powered by Baton</p>
      </footer>
    </section>
  );
}

const TALK_TO_PERSON = "Talk to a person";

function Message({ m, onRetry }: { m: ChatMessage; onRetry: () => void }): JSX.Element {
  if (m.sender === "system") {
    return (
      <div class="msg system" data-sender="system">
        <span>{m.text}</span>
      </div>
    );
  }
  return (
    <div class={`msg ${m.sender} ${m.state}`} data-sender={m.sender} data-state={m.state} data-id={m.id || ""}>
      {m.sender === "agent" ? <div class="author">{m.author || "Agent"}</div> : null}
      {m.sender === "bot" ? <div class="author">AI assistant</div> : null}
      {m.attachments.length && m.text === m.attachments.map((a) => a.filename).join(", ") ? null : (
        <div class="bubble">{rich(m.text, m.sender !== "visitor")}</div>
      )}
      <Files files={m.attachments} />
      <div class="meta">
        {m.state === "pending" ? (
          <span class="pending" title="Sending" data-testid="pending">
            Sending…
          </span>
        ) : m.state === "failed" ? (
          <button type="button" class="failed" onClick={onRetry} title={m.error || "Not sent"}>
            Not sent{m.error ? `: ${m.error}` : ""} · Retry
          </button>
        ) : m.state === "streaming" ? null : (
          <time dateTime={m.created_at} title={new Date(m.created_at).toLocaleString()}>
            {clock(m.created_at)}
          </time>
        )}
      </div>
    </div>
  );
}

function Queue({ chat, state }: { chat: Chat; state: State }): JSX.Element {
  const [email, setEmail] = useState(state.email.address);
  // the panel re-renders every second while waiting; read the clock now, not at that tick
  const since = state.waitingSince === null ? Date.now() : state.waitingSince;
  const remaining = Math.min(HANDOFF_WAIT_MS, since + HANDOFF_WAIT_MS - Date.now());
  if (!state.handoffTimedOut) {
    return (
      <div class="card queue" data-testid="queue" role="status">
        <strong>
          {state.queuePosition === 1 || state.queuePosition === null
            ? "You are next in the queue"
            : `You are number ${state.queuePosition} in the queue`}
        </strong>
        <span>
          Finding a person to take over: <span data-testid="countdown">{countdown(remaining)}</span>. The AI
          assistant keeps helping meanwhile.
        </span>
      </div>
    );
  }
  return (
    <div class="card timed-out" data-testid="handoff-timeout" role="status">
      <strong>Sorry, nobody could pick up just now.</strong>
      <span>The AI assistant will keep helping you, and you stay in the queue.</span>
      {state.email.state === "sent" ? (
        <span data-testid="email-sent">✓ Email saved: {state.email.address}</span>
      ) : (
        <form
          class="email"
          onSubmit={(e) => {
            e.preventDefault();
            void chat.leaveEmail(email);
          }}
        >
          <label>
            Leave your email and we will get back to you:
            <input
              type="email"
              required
              maxLength={320}
              placeholder="you@example.com"
              value={email}
              onInput={(e) => setEmail((e.currentTarget as HTMLInputElement).value)}
            />
          </label>
          <button type="submit" disabled={state.email.state === "sending"}>
            Send
          </button>
          {state.email.error ? <span class="error">{state.email.error}</span> : null}
        </form>
      )}
    </div>
  );
}
