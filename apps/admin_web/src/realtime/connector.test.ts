import { describe, expect, it, vi } from "vitest";

// a fake socket.io-client socket: the test fires server events at it
const fake = vi.hoisted(() => {
  const listeners = new Map<string, ((payload?: unknown) => void)[]>();
  const socket = {
    connected: false,
    on(event: string, listener: (payload?: unknown) => void) {
      listeners.set(event, [...(listeners.get(event) ?? []), listener]);
      return socket;
    },
    onAny() {
      return socket;
    },
    fire(event: string, payload?: unknown) {
      if (event === "connect") socket.connected = true;
      for (const listener of listeners.get(event) ?? []) listener(payload);
    },
  };
  return { socket };
});
vi.mock("socket.io-client", () => ({ io: () => fake.socket }));

const { realtime } = await import("./connector");

describe("the realtime connector", () => {
  it("re-syncs on the server's resync as after a reconnect", () => {
    realtime.start("token");
    fake.socket.fire("connect");
    const connected = vi.fn();
    const reconnected = vi.fn();
    realtime.onConnected(connected);
    realtime.onReconnected(reconnected);
    expect(connected).toHaveBeenCalledTimes(1); // at once: already connected
    expect(reconnected).not.toHaveBeenCalled();
    fake.socket.fire("resync", { reason: "realtime_restored" });
    expect(connected).toHaveBeenCalledTimes(2);
    expect(reconnected).toHaveBeenCalledTimes(1);
  });
});
