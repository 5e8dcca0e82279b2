// The chat's state and its connection to the api's /widget namespace (docs/realtime.md).
//
// Delivery: a visitor's message is shown at once as pending and kept in an outbox in
// localStorage; it leaves only over a started session and stays pending until the server's
// ack. After a reconnect (or a reload) the outbox is re-sent with the same client_id, which
// the server stores once, so nothing is lost or duplicated on a flaky network.
import type { ProactiveRule } from "./proactive";
import { io, type Socket } from "socket.io-client";
import type { PublicMessage, Visitor } from "../bridge";
import { storage } from "./storage";
import { chime } from "./chime";
import type {
  AgentMessage,
  AttachmentOut,
  BotMessage,
  ErrorAck,
  MessageOut,
  SystemMessage,
  VisitorMessage,
  WidgetAck,
  WidgetClientEvent,
  WidgetPayload,
  WidgetServerEvents as On,
} from "./contract.gen";

export type Sender = "visitor" | "bot" | "agent" | "system";
export type Status = On["status_changed"]["status"];

export interface Config {
  title: string;
  color: string;
  position: "left" | "right";
  launcher_text: string;
  welcome_message: string;
  online?: boolean; // false: outside business hours
  agents_online?: boolean;
  next_open_at?: string | null;
  typical_reply_seconds?: number | null; // the team's median first reply, when known
  proactive_rules?: ProactiveRule[];
}

export interface ChatMessage {
  key: string;
  id: string | null;
  client_id: string | null;
  sender: Sender;
  text: string;
  created_at: string;
  author: string | null;
  suggestions: string[];
  state: "sent" | "pending" | "failed" | "streaming";
  error?: string;
  attachments: Attachment[];
}

/** A file on a message (docs/attachments.md); urls are signed paths on the api's address. */
export type Attachment = AttachmentOut;

/** A file the visitor picked, dropped or pasted, on its way up (or done, waiting to be sent). */
export interface Upload {
  key: string;
  file: File;
  progress: number; // 0..1
  state: "uploading" | "done" | "failed";
  error: string | null;
  attachment: Attachment | null;
}

/** Why the visitor is offered the offline form (a ticket) instead of a live person. */
export type OfflineReason = "closed" | "nobody_online" | "wait_too_long" | "ai_unavailable";
export interface OfflineOffer {
  reason: OfflineReason;
  nextOpenAt: string | null; // ISO date-time of the next opening, when known
}

export interface State {
  connection: "connecting" | "online" | "offline";
  sessionReady: boolean;
  conversationId: string | null;
  status: Status | null;
  queuePosition: number | null;
  waitingSince: number | null; // epoch ms, for the handoff countdown
  handoffTimedOut: boolean;
  agentsOnline: boolean | null;
  requestingAgent: boolean;
  welcome: string;
  messages: ChatMessage[];
  typing: { sender: "agent" | "bot"; name: string | null } | null;
  unread: number;
  open: boolean;
  email: { state: "idle" | "sending" | "sent" | "error"; address: string; error: string | null };
  notice: string | null;
  offline: OfflineOffer | null; // set: the offline form is offered
  ticket: TicketState;
  transcript: { state: "idle" | "sending" | "sent" | "error"; to: string | null; error: string | null };
  csat: CsatState | null; // set: the rating card is shown (csat.tsx)
  uploads: Upload[];
  startingOver: boolean; // ``new_conversation`` on its way
  muted: boolean; // no chime for replies (the visitor's choice, remembered)
}

/** The satisfaction survey after resolve: asked by the server's ``csat_request``. */
export interface CsatState {
  conversationId: string;
  question: string;
  state: "asking" | "sending" | "sent" | "error";
  error: string | null;
}

/** The offline form's submission: a ticket answered by email. */
export interface TicketState {
  state: "idle" | "sending" | "sent" | "error";
  number: number | null;
  email: string | null;
  error: string | null;
}

/** How long a visitor waits for a person before being told nobody could pick up. */
export const HANDOFF_WAIT_MS = 3 * 60 * 1000;
const ACK_TIMEOUT_MS = 8000;

/** A message as the server sends it: from history (``MessageOut``), or live, as its event's
 * payload (the event says who sent it). Types generated from the server: ./contract.gen.ts. */
type ServerMessage =
  | MessageOut
  | (BotMessage & { sender: "bot" })
  | (AgentMessage & { sender: "agent" })
  | (SystemMessage & { sender: "system" })
  | (VisitorMessage & { sender: "visitor" });

interface Outgoing {
  client_id: string;
  text: string;
  created_at: string;
  attachments?: Attachment[];
}

/** Refusals that say "not now" (offline, the server's database restarting, a limit): the
 * message stays in the outbox and is sent again with the same client_id. */
const RETRIED = [
  "offline",
  "timeout",
  "no_session",
  "session_expired",
  "rate_limited",
  "internal_error",
  "database_unavailable",
];

function retryDelay(ack: ErrorAck): number {
  if (ack.error === "rate_limited") return 5000;
  const seconds = Number(ack.retry_after);
  return seconds > 0 ? Math.min(30, seconds) * 1000 : 2000;
}

const isError = (ack: unknown): ack is ErrorAck =>
  !!ack && typeof ack === "object" && typeof (ack as ErrorAck).error === "string";

/** A UUIDv4 from the CSPRNG (crypto.randomUUID needs a secure context; this does not). */
export function newClientId(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function fromServer(m: ServerMessage): ChatMessage {
  const clientId = ("client_id" in m && m.client_id) || null;
  const author = "author" in m ? m.author && m.author.name : "agent" in m ? m.agent.name : null;
  return {
    key: clientId || m.id,
    id: m.id,
    client_id: clientId,
    sender: m.sender as Sender,
    text: m.text,
    created_at: m.created_at,
    author: author || null,
    suggestions: ("suggestions" in m && m.suggestions) || [],
    state: "sent",
    attachments: m.attachments || [],
  };
}

function detail(ack: ErrorAck): string {
  return typeof ack.detail === "string" ? ack.detail : ack.error.replace(/_/g, " ");
}

export interface PageInfo {
  url: string;
  title: string;
}

export class Chat {
  state: State;
  private socket: Socket | null = null;
  private listeners = new Set<() => void>();
  private flushing = false;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private csatTimer: ReturnType<typeof setTimeout> | null = null;
  private resyncTimer: ReturnType<typeof setTimeout> | null = null;
  // the newest message of the last full fetch (start_session, sync): everything up to it is here
  private syncedThrough: string | null = null;
  private typingTimer: ReturnType<typeof setTimeout> | null = null;
  private typing = false;
  private visitor: Visitor;

  constructor(
    private readonly origin: string,
    welcome: string,
    private page: PageInfo,
    visitor: Visitor,
    private readonly onPublic: (m: PublicMessage) => void,
  ) {
    this.visitor = { ...storage.get<Visitor>("visitor", {}), ...dropEmpty(visitor) };
    const session = storage.get<{ conversation_id?: string } | null>("session", null);
    const conversationId = session && session.conversation_id ? session.conversation_id : null;
    this.state = {
      connection: "connecting",
      sessionReady: false,
      conversationId,
      status: null,
      queuePosition: null,
      waitingSince: null,
      handoffTimedOut: false,
      agentsOnline: null,
      requestingAgent: false,
      welcome,
      messages: this.outbox().map((o) => this.pendingMessage(o)),
      typing: null,
      unread: 0,
      open: false,
      email: { state: "idle", address: this.visitor.email || "", error: null },
      offline: null,
      ticket: { state: "idle", number: null, email: null, error: null },
      transcript: { state: "idle", to: null, error: null },
      csat: null,
      notice: null,
      uploads: [],
      startingOver: false,
      muted: storage.get<boolean>("muted", false),
    };
  }

  // ---- state plumbing -------------------------------------------------------------------

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Offer the offline form (business hours closed, nobody online, a wait too long, AI down). */
  offerOfflineForm(reason: OfflineReason, nextOpenAt: string | null = null): void {
    this.set({ offline: { reason, nextOpenAt } });
  }

  /** A proactive rule fired: open with its message, unless the visitor is already chatting. */
  greet(text: string): void {
    if (this.state.open || this.state.messages.length > 0) return;
    this.set({ welcome: text });
    this.setOpen(true);
  }

  dismissOfflineForm(): void {
    this.set({ offline: null });
  }

  /** The offline form: ``submit_ticket`` (same body and ack as POST /api/v1/tickets). */
  async submitTicket(form: { name: string; email: string; message: string }): Promise<void> {
    this.set({ ticket: { state: "sending", number: null, email: form.email, error: null } });
    const ack = await this.call("submit_ticket", form);
    if (isError(ack)) {
      const error = ack.error === "offline" || ack.error === "timeout" ? "You are offline. Try again in a moment." : detail(ack);
      this.set({ ticket: { state: "error", number: null, email: form.email, error } });
      return;
    }
    this.visitor = { ...this.visitor, ...dropEmpty({ name: form.name, email: form.email }) };
    storage.set("visitor", this.visitor);
    this.set({ ticket: { state: "sent", number: ack.number, email: form.email, error: null } });
  }

  /** ``csat_request``: show the rating card after the configured delay (if still resolved). */
  private askForRating(p: On["csat_request"]): void {
    if (this.csatTimer) clearTimeout(this.csatTimer);
    const show = (): void => {
      this.csatTimer = null;
      // the conversation moved on meanwhile (the visitor wrote again): no card
      if (p.conversation_id !== this.state.conversationId || (this.state.status && this.state.status !== "resolved")) return;
      this.set({ csat: { conversationId: p.conversation_id, question: p.question || "How would you rate this conversation?", state: "asking", error: null } });
    };
    const delay = Math.max(0, Math.min(3600, Number(p.delay_seconds) || 0)) * 1000;
    if (delay) this.csatTimer = setTimeout(show, delay);
    else show();
  }

  /** After a reload: a resolved conversation still waiting for its rating shows the card again. */
  private async resumeRating(): Promise<void> {
    const ack = await this.call("csat_status", {});
    if (!isError(ack) && ack.pending) this.askForRating({ conversation_id: ack.conversation_id, question: ack.question, delay_seconds: 0 });
  }

  /** The widget event ``csat {rating, comment?}``: once per conversation. */
  async rate(rating: number, comment: string): Promise<void> {
    const csat = this.state.csat;
    if (!csat || csat.state === "sending" || csat.state === "sent") return;
    this.set({ csat: { ...csat, state: "sending", error: null } });
    const body: WidgetPayload<"csat"> = { rating, conversation_id: csat.conversationId };
    if (comment.trim()) body.comment = comment.trim();
    const ack = await this.call("csat", body);
    if (isError(ack) && ack.error !== "already_rated") {
      const error = ack.error === "offline" || ack.error === "timeout" ? "You are offline. Try again in a moment." : detail(ack);
      this.set({ csat: { ...csat, state: "error", error } });
      return;
    }
    this.set({ csat: { ...csat, state: "sent", error: null } });
  }

  dismissRating(): void {
    this.set({ csat: null });
  }

  /** Email the visitor this conversation (``request_transcript``). */
  async requestTranscript(email: string | null): Promise<void> {
    this.set({ transcript: { state: "sending", to: email, error: null } });
    const ack = await this.call("request_transcript", email ? { email } : {});
    if (isError(ack)) {
      this.set({ transcript: { state: "error", to: email, error: detail(ack) } });
      return;
    }
    this.set({ transcript: { state: "sent", to: ack.to, error: null } });
  }

  /** After a resolved conversation: a fresh one for the same visitor (``new_conversation``).
   * The old thread stays with the agents; the widget shows the new, empty one. */
  async startOver(): Promise<void> {
    if (this.state.status !== "resolved" || this.state.startingOver) return;
    this.set({ startingOver: true, notice: null });
    const ack = await this.call("new_conversation", {});
    if (isError(ack)) {
      const notice = ack.error === "offline" || ack.error === "timeout" ? "You are offline. Try again in a moment." : detail(ack);
      this.set({ startingOver: false, notice });
      return;
    }
    if (this.csatTimer) clearTimeout(this.csatTimer);
    this.csatTimer = null;
    storage.set("session", { token: ack.session_token, conversation_id: ack.conversation_id });
    this.state = { ...this.state, conversationId: ack.conversation_id };
    this.set({
      startingOver: false,
      csat: null,
      offline: null,
      handoffTimedOut: false,
      transcript: { state: "idle", to: null, error: null },
      ticket: { state: "idle", number: null, email: null, error: null },
      welcome: ack.welcome || this.state.welcome,
    });
    this.setMessages([]);
    this.onStatus(ack.status, ack.queue_position ?? null, ack.waiting_since ?? null);
  }

  private set(patch: Partial<State>): void {
    this.state = { ...this.state, ...patch };
    for (const fn of this.listeners) fn();
  }

  private setMessages(messages: ChatMessage[]): void {
    this.set({ messages, unread: this.countUnread(messages) });
  }

  // ---- persistence ------------------------------------------------------------------------

  private outbox(): Outgoing[] {
    return storage.get<Outgoing[]>("outbox", []);
  }

  private saveOutbox(items: Outgoing[]): void {
    storage.set("outbox", items);
  }

  private pendingMessage(o: Outgoing): ChatMessage {
    return {
      key: o.client_id,
      id: null,
      client_id: o.client_id,
      sender: "visitor",
      text: o.text,
      created_at: o.created_at,
      author: null,
      suggestions: [],
      state: "pending",
      attachments: o.attachments || [],
    };
  }

  private seenKey(): string {
    return `seen:${this.state.conversationId || ""}`;
  }

  private countUnread(messages: ChatMessage[]): number {
    if (this.state.open) return 0;
    const seen = storage.get<string | null>(this.seenKey(), null);
    let count = 0;
    for (let i = messages.length - 1; i >= 0; i--) {
      const m = messages[i];
      if (m.id && m.id === seen) break;
      if (m.sender !== "visitor" && m.state !== "streaming") count++;
    }
    return count;
  }

  private markSeen(): void {
    const last = [...this.state.messages].reverse().find((m) => m.id && m.state !== "streaming");
    if (last && last.id) storage.set(this.seenKey(), last.id);
  }

  // ---- connection ---------------------------------------------------------------------------

  connect(): void {
    const socket = io(`${this.origin}/widget`, {
      path: "/socket.io",
      transports: ["websocket", "polling"],
      tryAllTransports: true,
      reconnectionDelay: 400,
      reconnectionDelayMax: 3000,
      timeout: 8000,
    });
    this.socket = socket;
    socket.on("connect", () => void this.startSession());
    socket.on("disconnect", () => this.set({ connection: "offline", sessionReady: false, typing: null }));
    socket.on("connect_error", () => this.set({ connection: "offline", sessionReady: false }));
    socket.on("bot_stream", (p: On["bot_stream"]) => this.onStream(p));
    socket.on("bot_stream_cancelled", (p: On["bot_stream_cancelled"]) => this.onStreamCancelled(p.message_id));
    socket.on("bot_message", (m: On["bot_message"]) => {
      this.onLive({ ...m, sender: "bot" });
      if (m.source === "fallback" && !this.state.offline) this.offerOfflineForm("ai_unavailable");
    });
    socket.on("agent_message", (m: On["agent_message"]) => this.onLive({ ...m, sender: "agent" }));
    socket.on("system_message", (m: On["system_message"]) => {
      this.onLive({ ...m, sender: "system" });
      // queued with nobody online: say so once (that message) and offer the offline form, no countdown
      if (m.kind === "queued" && m.agents_online === false) this.nobodyOnline();
    });
    // an agent started the chat (proactive): the widget opens with their message
    socket.on("agent_initiated_chat", (p: On["agent_initiated_chat"]) => {
      this.onLive({ ...p.message, sender: "agent" });
      this.setOpen(true);
    });
    socket.on("offline_offer", (p: On["offline_offer"]) =>
      this.offerOfflineForm(p.reason === "closed" ? "closed" : "wait_too_long", p.next_open_at || null),
    );
    socket.on("visitor_message", (m: On["visitor_message"]) => this.onLive({ ...m, sender: "visitor" }));
    socket.on("status_changed", (p: On["status_changed"]) => this.onStatus(p.status, p.queue_position, null));
    socket.on("csat_request", (p: On["csat_request"]) => this.askForRating(p));
    // the server's realtime fan-out was down: events sent meanwhile are lost, fetch them
    socket.on("resync", () => void this.resync());
    socket.on("display_typing", (p: On["display_typing"]) => {
      if (p.sender !== "agent" && p.sender !== "bot") return;
      this.set({ typing: p.typing ? { sender: p.sender, name: p.name || null } : null });
    });
    // The browser knows it is offline before the socket's heartbeat does: drop the transport
    // now (messages typed meanwhile stay pending), and reconnect as soon as it is back.
    window.addEventListener("offline", () => {
      this.set({ connection: "offline", sessionReady: false });
      if (socket.io.engine) socket.io.engine.close();
    });
    window.addEventListener("online", () => {
      if (!socket.connected) socket.connect();
    });
  }

  /** Emit and wait for the ack; ``offline`` and ``timeout`` come back as error acks too. */
  private async call<E extends WidgetClientEvent>(event: E, payload: WidgetPayload<E>): Promise<WidgetAck<E>> {
    const socket = this.socket;
    // every ack may be an ErrorAck (the generated types say so): these two are the client's own
    const local = (error: string) => ({ error, detail: null }) as ErrorAck as WidgetAck<E>;
    if (!socket || !socket.connected) return local("offline");
    try {
      return (await socket.timeout(ACK_TIMEOUT_MS).emitWithAck(event, payload)) as WidgetAck<E>;
    } catch {
      return local("timeout");
    }
  }

  private async startSession(): Promise<void> {
    const session = storage.get<{ token?: string } | null>("session", null);
    const visitor: NonNullable<WidgetPayload<"start_session">["visitor"]> = {
      page_url: this.page.url,
      page_title: this.page.title,
    };
    if (this.visitor.name) visitor.name = this.visitor.name;
    if (this.visitor.email) visitor.email = this.visitor.email;
    try {
      const tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
      if (tz) visitor.timezone = tz;
    } catch {
      /* no Intl time zone: the server does without */
    }
    if (navigator.language) visitor.locale = navigator.language;
    const payload: WidgetPayload<"start_session"> = { visitor };
    if (session && session.token) payload.session_token = session.token;
    const ack = await this.call("start_session", payload);
    if (isError(ack)) {
      if (ack.error !== "offline") this.scheduleRetry(() => this.startSession());
      return;
    }
    storage.set("session", { token: ack.session_token, conversation_id: ack.conversation_id });
    const changed = ack.conversation_id !== this.state.conversationId;
    this.syncedThrough = ack.messages.length ? ack.messages[ack.messages.length - 1].id : null;
    const server = ack.messages.filter((m) => !m.internal).map(fromServer);
    const known = new Set(server.map((m) => m.client_id).filter(Boolean));
    const pending = this.outbox()
      .filter((o) => !known.has(o.client_id))
      .map((o) => this.pendingMessage(o));
    // the server is the truth: keep only what it has, plus what is still on its way to it
    this.saveOutbox(this.outbox().filter((o) => !known.has(o.client_id)));
    const failed = changed ? [] : this.state.messages.filter((m) => m.state === "failed");
    this.state = { ...this.state, conversationId: ack.conversation_id };
    if (changed && storage.get<string | null>(this.seenKey(), null) === null && server.length) {
      // a first visit: what is already there (the greeting) is not "unread"
      const last = server[server.length - 1];
      if (last.id) storage.set(this.seenKey(), last.id);
    }
    this.set({
      connection: "online",
      sessionReady: true,
      welcome: ack.welcome || this.state.welcome,
      handoffTimedOut: changed ? false : this.state.handoffTimedOut,
    });
    this.setMessages([...server, ...failed, ...pending]);
    this.onStatus(ack.status, ack.queue_position, ack.waiting_since);
    if (ack.status === "resolved" && !this.state.csat) void this.resumeRating();
    void this.call("visitor_join", { page_url: this.page.url, title: this.page.title });
    if (this.state.open) this.markSeen();
    void this.flush();
  }

  /** ``resync`` (docs/realtime.md): fetch what the server stored after the last message we know
   * we have (``sync {after_id}``, from the newest message of the last full fetch: events after
   * it may have been lost) and the current status, as after a reconnect, so a reply sent while
   * the server's fan-out was down is shown. Events are hints; the server's state is the truth. */
  private async resync(): Promise<void> {
    if (!this.state.sessionReady) return; // a session start is on its way: it fetches everything
    for (let page = 0; page < 20; page++) {
      const after = this.syncedThrough;
      const ack = await this.call("sync", after ? { after_id: after } : {});
      if (isError(ack)) {
        if (ack.error === "no_session" || ack.error === "session_expired") {
          this.set({ sessionReady: false });
          void this.startSession();
        } else if (ack.error !== "offline") {
          // its own timer: the outbox's retry must not be cancelled by this one
          if (this.resyncTimer) clearTimeout(this.resyncTimer);
          this.resyncTimer = setTimeout(() => {
            this.resyncTimer = null;
            void this.resync();
          }, retryDelay(ack));
        }
        return;
      }
      for (const m of ack.messages) if (!m.internal) this.onLive(m);
      if (page === 0) {
        this.onStatus(ack.status, ack.queue_position ?? null, null);
        if (ack.status === "resolved" && !this.state.csat) void this.resumeRating();
      }
      if (!ack.messages.length) return;
      this.syncedThrough = ack.messages[ack.messages.length - 1].id;
    }
  }

  private scheduleRetry(fn: () => unknown, ms = 2000): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.socket && this.socket.connected) fn();
    }, ms);
  }

  // ---- server events ------------------------------------------------------------------------

  private upsert(incoming: ChatMessage): boolean {
    const messages = this.state.messages.slice();
    const index = messages.findIndex(
      (m) =>
        (incoming.id !== null && m.id === incoming.id) ||
        (incoming.client_id !== null && m.client_id === incoming.client_id),
    );
    const isNew = index < 0 || messages[index].state === "streaming" || messages[index].state === "pending";
    if (index < 0) messages.push(incoming);
    else messages[index] = { ...incoming, key: messages[index].key };
    this.setMessages(messages);
    return isNew;
  }

  private onLive(m: ServerMessage): void {
    const message = fromServer(m);
    if (message.client_id) this.saveOutbox(this.outbox().filter((o) => o.client_id !== message.client_id));
    const typing = this.state.typing && this.state.typing.sender === message.sender ? null : this.state.typing;
    if (typing !== this.state.typing) this.set({ typing });
    if (this.upsert(message)) {
      this.publish(message);
      this.chimeFor(message);
    }
    if (this.state.open) this.markSeen();
  }

  /** A reply the visitor is not looking at: the panel is closed or the tab is hidden. */
  private chimeFor(m: ChatMessage): void {
    if (this.state.muted || (m.sender !== "agent" && m.sender !== "bot")) return;
    if (this.state.open && document.visibilityState === "visible") return;
    chime();
  }

  toggleSound(): void {
    storage.set("muted", !this.state.muted);
    this.set({ muted: !this.state.muted });
  }

  /** A person took over while the AI was answering: the half-streamed answer is withdrawn. */
  private onStreamCancelled(messageId: string): void {
    const messages = this.state.messages.filter((m) => !(m.id === messageId && m.state === "streaming"));
    if (messages.length !== this.state.messages.length) this.setMessages(messages);
  }

  private onStream(p: On["bot_stream"]): void {
    const messages = this.state.messages.slice();
    const index = messages.findIndex((m) => m.id === p.message_id);
    if (index >= 0 && messages[index].state !== "streaming") return; // already complete
    if (index < 0) {
      messages.push({
        key: p.message_id,
        id: p.message_id,
        client_id: null,
        sender: "bot",
        text: p.delta,
        created_at: new Date().toISOString(),
        author: null,
        suggestions: [],
        state: "streaming",
        attachments: [],
      });
    } else {
      messages[index] = { ...messages[index], text: messages[index].text + p.delta };
    }
    this.set({ typing: this.state.typing && this.state.typing.sender === "bot" ? null : this.state.typing });
    this.setMessages(messages);
  }

  private onStatus(status: Status, position: number | null, since: string | null): void {
    if (status !== "resolved" && (this.state.csat || this.csatTimer)) {
      if (this.csatTimer) clearTimeout(this.csatTimer);
      this.csatTimer = null;
      this.set({ csat: null });
    }
    const key = `wait:${this.state.conversationId || ""}`;
    let waitingSince: number | null = null;
    let timedOut = this.state.handoffTimedOut;
    if (status === "waiting") {
      const stored = storage.get<number | null>(key, null);
      waitingSince = since ? Date.parse(since) : stored || Date.now();
      if (!stored || (since && stored !== waitingSince)) storage.set(key, waitingSince);
      timedOut = timedOut || Date.now() - waitingSince >= HANDOFF_WAIT_MS;
    } else {
      storage.remove(key);
      if (status === "agent") timedOut = false;
    }
    this.set({ status, queuePosition: status === "waiting" ? position : null, waitingSince, handoffTimedOut: timedOut });
    if (status === "waiting" && timedOut && !this.state.offline) this.offerOfflineForm("wait_too_long");
  }

  /** Called every second by the view while waiting: nobody picked up within the limit. */
  checkHandoffTimeout(now: number): void {
    const { status, waitingSince, handoffTimedOut } = this.state;
    if (status === "waiting" && waitingSince !== null && !handoffTimedOut && now - waitingSince >= HANDOFF_WAIT_MS) {
      this.set({ handoffTimedOut: true });
      if (!this.state.offline) this.offerOfflineForm("wait_too_long");
    }
  }

  private publish(m: ChatMessage): void {
    if (!m.id) return;
    this.onPublic({ id: m.id, sender: m.sender, text: m.text, created_at: m.created_at, author: m.author });
  }

  // ---- visitor actions -----------------------------------------------------------------------

  send(raw: string, attachments?: Attachment[]): void {
    const text = raw.trim();
    const files = attachments || this.readyAttachments();
    if (!text && !files.length) return;
    if (!attachments && this.state.uploads.some((u) => u.state === "uploading")) return;
    const item: Outgoing = { client_id: newClientId(), text, created_at: new Date().toISOString() };
    if (files.length) {
      item.attachments = files;
      if (!attachments) this.set({ uploads: this.state.uploads.filter((u) => u.state !== "done") });
    }
    this.saveOutbox([...this.outbox(), item]);
    this.setMessages([...this.state.messages, this.pendingMessage(item)]);
    this.stopTyping();
    void this.flush();
  }

  retry(key: string): void {
    const failed = this.state.messages.find((m) => m.key === key && m.state === "failed");
    if (!failed) return;
    this.setMessages(this.state.messages.filter((m) => m !== failed));
    this.send(failed.text, failed.attachments);
  }

  // ---- attachments (the upload code loads on first use) -----------------------------------

  private readyAttachments(): Attachment[] {
    return this.state.uploads.flatMap((u) => (u.state === "done" && u.attachment ? [u.attachment] : []));
  }

  private patchUpload(key: string, patch: Partial<Upload>): void {
    this.set({ uploads: this.state.uploads.map((u) => (u.key === key ? { ...u, ...patch } : u)) });
  }

  /** Files picked, dropped or pasted: each uploads at once, with its progress. */
  attach(files: Iterable<File>): void {
    const added: Upload[] = [];
    for (const file of files) {
      added.push({ key: newClientId(), file, progress: 0, state: "uploading", error: null, attachment: null });
    }
    if (!added.length) return;
    this.set({ uploads: [...this.state.uploads, ...added] });
    for (const u of added) void this.startUpload(u.key);
  }

  retryUpload(key: string): void {
    this.patchUpload(key, { state: "uploading", progress: 0, error: null });
    void this.startUpload(key);
  }

  removeUpload(key: string): void {
    this.set({ uploads: this.state.uploads.filter((u) => u.key !== key) });
  }

  private async startUpload(key: string): Promise<void> {
    const item = this.state.uploads.find((u) => u.key === key);
    const session = storage.get<{ token?: string } | null>("session", null);
    if (!item) return;
    if (!session || !session.token || !this.state.sessionReady) {
      this.patchUpload(key, { state: "failed", error: "not connected yet" });
      return;
    }
    try {
      const { upload } = await import("./upload");
      const attachment = await upload(item.file, session.token, (progress) => this.patchUpload(key, { progress }));
      this.patchUpload(key, { state: "done", progress: 1, attachment });
    } catch (err) {
      this.patchUpload(key, { state: "failed", error: err instanceof Error ? err.message : "upload failed" });
    }
  }

  /** Send the outbox in order, one at a time; stop (and keep it) when the network fails. */
  private async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      for (;;) {
        if (!this.state.sessionReady) return;
        const next = this.outbox()[0];
        if (!next) return;
        const payload: WidgetPayload<"user_message"> = { client_id: next.client_id, text: next.text };
        if (next.attachments && next.attachments.length) payload.attachment_ids = next.attachments.map((a) => a.id);
        const ack = await this.call("user_message", payload);
        if (isError(ack)) {
          if (RETRIED.includes(ack.error)) {
            if (ack.error === "no_session" || ack.error === "session_expired") {
              this.set({ sessionReady: false });
              void this.startSession();
            }
            else this.scheduleRetry(() => this.flush(), retryDelay(ack));
            return;
          }
          // refused for good (too long, invalid): say so; it is not retried as is
          this.saveOutbox(this.outbox().filter((o) => o.client_id !== next.client_id));
          this.setMessages(
            this.state.messages.map((m) =>
              m.client_id === next.client_id ? { ...m, state: "failed", error: detail(ack) } : m,
            ),
          );
          continue;
        }
        this.saveOutbox(this.outbox().filter((o) => o.client_id !== next.client_id));
        const sent: ChatMessage = {
          ...this.pendingMessage(next),
          id: ack.id,
          created_at: ack.created_at,
          state: "sent",
        };
        if (this.upsert(sent)) this.publish(sent);
      }
    } finally {
      this.flushing = false;
    }
  }

  async requestAgent(): Promise<void> {
    if (this.state.requestingAgent) return;
    this.set({ requestingAgent: true, notice: null });
    const ack = await this.call("request_agent", {});
    if (isError(ack)) {
      this.set({
        requestingAgent: false,
        notice: ack.error === "offline" || ack.error === "timeout" ? "You are offline. Try again in a moment." : detail(ack),
      });
      return;
    }
    if (ack.offline) {
      // outside business hours: nobody is queued, the AI keeps answering, the form is offered
      this.set({ requestingAgent: false, agentsOnline: ack.agents_online });
      this.offerOfflineForm("closed", ack.next_open_at || null);
      return;
    }
    this.set({ requestingAgent: false, agentsOnline: ack.agents_online, handoffTimedOut: false });
    this.onStatus(ack.status, ack.queue_position, null);
    if (ack.agents_online === false) this.nobodyOnline();
  }

  /** Nobody from the team is online: the offline form, never a countdown that cannot succeed. */
  private nobodyOnline(): void {
    this.set({ agentsOnline: false });
    if (!this.state.offline) this.offerOfflineForm("nobody_online");
  }

  async leaveEmail(address: string): Promise<void> {
    const email = address.trim();
    this.set({ email: { state: "sending", address: email, error: null } });
    const ack = await this.call("leave_email", { email });
    if (isError(ack)) {
      const error = ack.error === "offline" || ack.error === "timeout" ? "You are offline. Try again in a moment." : detail(ack);
      this.set({ email: { state: "error", address: email, error } });
      return;
    }
    this.visitor = { ...this.visitor, email };
    storage.set("visitor", this.visitor);
    this.set({ email: { state: "sent", address: email, error: null } });
  }

  identify(visitor: Visitor): void {
    const next = { ...this.visitor, ...dropEmpty(visitor) };
    if (next.name === this.visitor.name && next.email === this.visitor.email) return;
    this.visitor = next;
    storage.set("visitor", next);
    if (!this.state.email.address && next.email) this.set({ email: { ...this.state.email, address: next.email } });
    if (this.state.sessionReady) void this.startSession(); // resumes and updates the visitor
  }

  setPage(page: PageInfo): void {
    this.page = page;
    if (this.state.sessionReady) void this.call("visitor_join", { page_url: page.url, title: page.title });
  }

  setOpen(open: boolean): void {
    if (open === this.state.open) return;
    this.state = { ...this.state, open };
    if (open) this.markSeen();
    this.setMessages(this.state.messages);
  }

  typed(): void {
    if (!this.state.sessionReady) return;
    if (!this.typing) {
      this.typing = true;
      void this.call("typing_start", {});
    }
    if (this.typingTimer) clearTimeout(this.typingTimer);
    this.typingTimer = setTimeout(() => this.stopTyping(), 3000);
  }

  private stopTyping(): void {
    if (this.typingTimer) clearTimeout(this.typingTimer);
    this.typingTimer = null;
    if (this.typing) {
      this.typing = false;
      void this.call("typing_stop", {});
    }
  }
}

function dropEmpty(v: Visitor): Visitor {
  const out: Visitor = {};
  if (v.name) out.name = v.name;
  if (v.email) out.email = v.email;
  return out;
}
