// The offline form: when no person can answer live (outside business hours, nobody online, a
// wait too long, the AI unavailable) the visitor leaves name, email and message, and a ticket
// answered by email is created (``submit_ticket``). Also the "email me this conversation" link.
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import type { Chat, OfflineReason, State } from "./store";

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const MAX_MESSAGE = 10000;

const HEADINGS: Record<OfflineReason, string> = {
  closed: "We are closed right now",
  nobody_online: "Nobody is available right now",
  wait_too_long: "Rather not wait? Leave us a message",
  ai_unavailable: "Our assistant is unavailable right now",
};

function nextOpening(iso: string | null): string | null {
  if (!iso) return null;
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return null;
  return at.toLocaleString(undefined, { weekday: "long", hour: "2-digit", minute: "2-digit" });
}

interface Errors {
  name?: string;
  email?: string;
  message?: string;
}

export function validate(form: { name: string; email: string; message: string }): Errors {
  const errors: Errors = {};
  if (form.name.trim().length > 120) errors.name = "Please keep your name under 120 characters.";
  if (!EMAIL.test(form.email.trim())) errors.email = "Please enter a valid email address.";
  if (!form.message.trim()) errors.message = "Please tell us how we can help.";
  else if (form.message.length > MAX_MESSAGE) errors.message = `Please keep it under ${MAX_MESSAGE} characters.`;
  return errors;
}

export function OfflineForm({ chat, state }: { chat: Chat; state: State }): JSX.Element | null {
  const offer = state.offline;
  const [name, setName] = useState("");
  const [email, setEmail] = useState(state.email.address);
  const [message, setMessage] = useState("");
  const [errors, setErrors] = useState<Errors>({});
  if (!offer) return null;
  const ticket = state.ticket;
  if (ticket.state === "sent") {
    return (
      <div class="card offline-form sent" data-testid="ticket-confirmation" role="status">
        <strong>Thanks, we have your message.</strong>
        <span>
          Your ticket number is <b data-testid="ticket-number">#{ticket.number}</b>. We will answer by email at{" "}
          <b>{ticket.email}</b>; a confirmation is on its way.
        </span>
      </div>
    );
  }
  const opening = nextOpening(offer.nextOpenAt);
  const onSubmit = (e: Event): void => {
    e.preventDefault();
    const form = { name: name.trim(), email: email.trim(), message };
    const found = validate(form);
    setErrors(found);
    if (Object.keys(found).length) return;
    void chat.submitTicket(form);
  };
  const field = (key: keyof Errors): Record<string, string | boolean> =>
    errors[key] ? { "aria-invalid": true, "aria-describedby": `offline-${key}-error` } : {};
  return (
    <form class="card offline-form" data-testid="offline-form" data-reason={offer.reason} onSubmit={onSubmit} noValidate>
      <strong>{HEADINGS[offer.reason]}</strong>
      <span>
        Leave us a message and we will answer by email{opening ? ` (we open again ${opening})` : ""}.
      </span>
      <label>
        Name
        <input name="name" autocomplete="name" maxLength={120} value={name} {...field("name")}
          onInput={(e) => setName((e.currentTarget as HTMLInputElement).value)} />
      </label>
      {errors.name ? <span class="error" id="offline-name-error">{errors.name}</span> : null}
      <label>
        Email
        <input name="email" type="email" autocomplete="email" maxLength={320} required value={email} {...field("email")}
          onInput={(e) => setEmail((e.currentTarget as HTMLInputElement).value)} />
      </label>
      {errors.email ? <span class="error" id="offline-email-error">{errors.email}</span> : null}
      <label>
        How can we help?
        <textarea name="message" rows={4} maxLength={MAX_MESSAGE} required value={message} {...field("message")}
          onInput={(e) => setMessage((e.currentTarget as HTMLTextAreaElement).value)} />
      </label>
      {errors.message ? <span class="error" id="offline-message-error">{errors.message}</span> : null}
      {ticket.state === "error" && ticket.error ? <span class="error" role="alert">{ticket.error}</span> : null}
      <div class="offline-actions">
        <button type="submit" disabled={ticket.state === "sending"}>
          {ticket.state === "sending" ? "Sending…" : "Send message"}
        </button>
        <button type="button" class="link" onClick={() => chat.dismissOfflineForm()}>
          Not now
        </button>
      </div>
    </form>
  );
}

/** "Email me this conversation", once the visitor has written something. */
export function TranscriptLink({ chat, state }: { chat: Chat; state: State }): JSX.Element | null {
  const [asking, setAsking] = useState(false);
  const [email, setEmail] = useState(state.email.address);
  if (!state.sessionReady || !state.messages.some((m) => m.sender === "visitor" && m.id)) return null;
  const t = state.transcript;
  if (t.state === "sent") {
    return <p class="transcript" data-testid="transcript-sent">✓ Transcript sent to {t.to}</p>;
  }
  if (!asking) {
    return (
      <button type="button" class="link transcript" data-testid="transcript" onClick={() => setAsking(true)}>
        Email me this conversation
      </button>
    );
  }
  return (
    <form class="email transcript" onSubmit={(e) => {
      e.preventDefault();
      if (EMAIL.test(email.trim())) void chat.requestTranscript(email.trim());
    }}>
      <label>
        Send the transcript to:
        <input type="email" required maxLength={320} placeholder="you@example.com" value={email}
          onInput={(e) => setEmail((e.currentTarget as HTMLInputElement).value)} />
      </label>
      <button type="submit" disabled={t.state === "sending"}>Send</button>
      {t.error ? <span class="error">{t.error}</span> : null}
    </form>
  );
}
