import { beforeEach, describe, expect, it, vi } from "vitest";

// a fake of the one realtime connector: connected or not, acks or refusals on demand
const fake = vi.hoisted(() => {
  class AckError extends Error {
    constructor(
      readonly code: string,
      readonly detail: unknown,
    ) {
      super(typeof detail === "string" ? detail : code);
    }
  }
  const state = {
    connected: true,
    sent: [] as { event: string; payload: { client_id: string; text: string } }[],
    answer: (_event: string, payload: { client_id: string }): Promise<unknown> =>
      Promise.resolve({ id: `m-${payload.client_id}`, client_id: payload.client_id, created_at: "2026-12-01T12:00:00Z" }),
    onConnected: [] as (() => void)[],
  };
  const realtime = {
    get connected() {
      return state.connected;
    },
    request(event: string, payload: { client_id: string; text: string }) {
      state.sent.push({ event, payload });
      return state.answer(event, payload);
    },
    onConnected(listener: () => void) {
      state.onConnected.push(listener);
      return () => undefined;
    },
  };
  return { state, realtime, AckError };
});
vi.mock("./realtime/connector", () => ({ realtime: fake.realtime, AckError: fake.AckError }));

const { acked, discard, enqueue, flush, openOutbox, outbox, retry } = await import("./outbox");

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

beforeEach(() => {
  localStorage.clear();
  fake.state.connected = true;
  fake.state.sent = [];
  fake.state.answer = (_e, p) => Promise.resolve({ id: `m-${p.client_id}`, client_id: p.client_id, created_at: "2026-12-01T12:00:00Z" });
  openOutbox({ id: "u1", name: "Dana" });
  outbox.set([]);
  acked.set([]);
});

describe("outbox", () => {
  it("sends in order, once acked drops the message and remembers the ack", async () => {
    enqueue({ client_id: "a", conversation_id: "c1", text: "first", internal: false });
    enqueue({ client_id: "b", conversation_id: "c1", text: "note", internal: true });
    await settle();
    await flush();
    await settle();
    expect(fake.state.sent.map((s) => [s.event, s.payload.client_id])).toEqual([
      ["agent_message", "a"],
      ["internal_note", "b"],
    ]);
    expect(outbox.get()).toEqual([]);
    expect(acked.get().map((m) => [m.id, m.internal, m.author?.name])).toEqual([
      ["m-a", false, "Dana"],
      ["m-b", true, "Dana"],
    ]);
  });

  it("keeps what it could not send while offline, across a reload, and sends it on reconnect", async () => {
    fake.state.connected = false;
    enqueue({ client_id: "a", conversation_id: "c1", text: "while offline", internal: false });
    await settle();
    expect(fake.state.sent).toEqual([]);
    expect(JSON.parse(localStorage.getItem("baton.outbox.u1")!)).toHaveLength(1);
    // a reload: memory is gone, storage is not, and the outbox comes back from it
    const stored = localStorage.getItem("baton.outbox.u1")!;
    outbox.set([]);
    localStorage.setItem("baton.outbox.u1", stored);
    openOutbox({ id: "u1", name: "Dana" });
    expect(outbox.get().map((m) => m.client_id)).toEqual(["a"]);
    fake.state.connected = true;
    fake.state.onConnected.forEach((listener) => listener());
    await settle();
    await settle();
    expect(fake.state.sent.map((s) => s.payload.text)).toEqual(["while offline"]);
    expect(outbox.get()).toEqual([]);
  });

  it("marks a refused message failed with the server's reason; retry resends the same client_id", async () => {
    fake.state.answer = () => Promise.reject(new fake.AckError("not_assigned", "Take over first."));
    enqueue({ client_id: "a", conversation_id: "c1", text: "hi", internal: false });
    await settle();
    await settle();
    expect(outbox.get()).toMatchObject([{ client_id: "a", state: "failed", error: "Take over first." }]);
    fake.state.answer = (_e, p) => Promise.resolve({ id: "m1", client_id: p.client_id, created_at: "2026-12-01T12:00:00Z" });
    retry("a");
    await settle();
    await settle();
    expect(fake.state.sent.map((s) => s.payload.client_id)).toEqual(["a", "a"]);
    expect(outbox.get()).toEqual([]);
  });

  it("discards a failed message on request", async () => {
    fake.state.answer = () => Promise.reject(new fake.AckError("refused", "no"));
    enqueue({ client_id: "a", conversation_id: "c1", text: "hi", internal: false });
    await settle();
    await settle();
    discard("a");
    expect(outbox.get()).toEqual([]);
    expect(localStorage.getItem("baton.outbox.u1")).toBeNull();
  });

  it("keeps a message pending (not failed) when the ack times out", async () => {
    fake.state.answer = () => Promise.reject(new Error("timeout"));
    fake.state.connected = true;
    enqueue({ client_id: "a", conversation_id: "c1", text: "hi", internal: false });
    await settle();
    await settle();
    fake.state.connected = false; // stop the 3 s retry from firing a second send
    expect(outbox.get()).toMatchObject([{ client_id: "a", state: "pending" }]);
  });
});
