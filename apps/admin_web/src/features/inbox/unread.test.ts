import { describe, expect, it } from "vitest";
import { bump, clear, markRead, markUnread, openUnread, unread } from "./unread";
import { step } from "./shortcuts";

describe("unread markers", () => {
  it("counts per conversation and clears on read", () => {
    expect(bump(bump({}, "a"), "a")).toEqual({ a: 2 });
    expect(clear({ a: 2, b: 1 }, "a")).toEqual({ b: 1 });
    const same = { b: 1 };
    expect(clear(same, "a")).toBe(same);
  });

  it("survives a reload through localStorage, per user", () => {
    openUnread("u1");
    markUnread("c1");
    markUnread("c1");
    openUnread("u2");
    expect(unread.get()).toEqual({});
    openUnread("u1");
    expect(unread.get()).toEqual({ c1: 2 });
    markRead("c1");
    openUnread("u1");
    expect(unread.get()).toEqual({});
  });
});

describe("j/k", () => {
  it("steps through the list and stops at its ends", () => {
    expect(step(["a", "b", "c"], null, 1)).toBe("a");
    expect(step(["a", "b", "c"], null, -1)).toBe("c");
    expect(step(["a", "b", "c"], "a", 1)).toBe("b");
    expect(step(["a", "b", "c"], "c", 1)).toBe("c");
    expect(step(["a", "b", "c"], "a", -1)).toBe("a");
    expect(step([], "a", 1)).toBeNull();
  });
});
