// The one realtime connector: a socket.io-client socket on /agent, typed events, acks that
// reject on `{error, detail}`, and a "connected" signal that views use to re-sync (join again,
// refetch lists, resend the outbox) after every (re)connect. Events are hints, REST is truth.
import { io, type Socket } from "socket.io-client";
import { Store } from "../lib/store";
import { markExpired } from "../session";
import type { AgentClientEvents, AgentServerEvents, ErrorAck } from "./contract.gen";

export type ConnectionState = "connecting" | "online" | "offline";

export class AckError extends Error {
  constructor(
    readonly code: string,
    readonly detail: unknown,
  ) {
    super(typeof detail === "string" && detail ? detail : code.replace(/_/g, " "));
    this.name = "AckError";
  }
}

type Handler<E extends keyof AgentServerEvents> = (payload: AgentServerEvents[E]) => void;

class Realtime {
  readonly state = new Store<ConnectionState>("offline");
  private socket: Socket | null = null;
  private handlers = new Map<string, Set<(payload: never) => void>>();
  private connectListeners = new Set<() => void>();

  start(token: string): void {
    this.stop();
    const socket = io(`${window.location.origin}/agent`, {
      path: "/socket.io",
      transports: ["websocket"],
      auth: { token },
      reconnectionDelay: 500,
      reconnectionDelayMax: 5000,
    });
    this.socket = socket;
    this.state.set("connecting");
    socket.on("connect", () => {
      this.state.set("online");
      for (const listener of [...this.connectListeners]) listener();
    });
    // the server's fan-out was down (events may be missing): re-sync as after a reconnect
    socket.on("resync", () => {
      for (const listener of [...this.connectListeners]) listener();
    });
    socket.on("disconnect", (reason) => {
      this.state.set("connecting");
      // the server closed the namespace: socket.io will not retry by itself
      if (reason === "io server disconnect") window.setTimeout(() => socket.connect(), 1000);
    });
    socket.on("connect_error", (err: Error & { data?: { error?: string } }) => {
      if (err.data?.error === "unauthorized") {
        this.state.set("offline");
        markExpired();
        return;
      }
      this.state.set("connecting");
    });
    socket.onAny((event: string, payload: unknown) => {
      const set = this.handlers.get(event);
      if (set) for (const handler of [...set]) (handler as (p: unknown) => void)(payload);
    });
  }

  stop(): void {
    if (this.socket) {
      this.socket.removeAllListeners();
      this.socket.offAny();
      this.socket.disconnect();
      this.socket = null;
    }
    this.state.set("offline");
  }

  get connected(): boolean {
    return !!this.socket?.connected;
  }

  on<E extends keyof AgentServerEvents>(event: E, handler: Handler<E>): () => void {
    let set = this.handlers.get(event);
    if (!set) this.handlers.set(event, (set = new Set()));
    set.add(handler as (payload: never) => void);
    return () => set.delete(handler as (payload: never) => void);
  }

  /** Called on every connect and reconnect (and at once when already connected). */
  onConnected(listener: () => void): () => void {
    this.connectListeners.add(listener);
    if (this.connected) listener();
    return () => this.connectListeners.delete(listener);
  }

  /** Called on every connect after the current one (to re-sync what was loaded already). */
  onReconnected(listener: () => void): () => void {
    let skip = this.connected;
    return this.onConnected(() => {
      if (skip) {
        skip = false;
        return;
      }
      listener();
    });
  }

  /** Emit and wait for the ack; rejects with AckError on a refusal, Error on timeout. */
  async request<E extends keyof AgentClientEvents>(
    event: E,
    payload: AgentClientEvents[E][0],
    timeoutMs = 10_000,
  ): Promise<Exclude<AgentClientEvents[E][1], ErrorAck>> {
    const socket = this.socket;
    if (!socket || !socket.connected) throw new Error("Not connected to the server.");
    const ack: unknown = await socket.timeout(timeoutMs).emitWithAck(event, payload);
    if (ack && typeof ack === "object" && "error" in ack) {
      const { error, detail } = ack as { error: unknown; detail?: unknown };
      throw new AckError(String(error), detail);
    }
    return ack as Exclude<AgentClientEvents[E][1], ErrorAck>;
  }

  /** Fire-and-forget for hints such as typing indicators. */
  hint<E extends keyof AgentClientEvents>(event: E, payload: AgentClientEvents[E][0]): void {
    if (this.socket?.connected) this.socket.emit(event, payload);
  }
}

export const realtime = new Realtime();
