import { describe, expect, it } from "vitest";
import type { Counts } from "../../types";
import { conversation } from "../../test/factories";
import { buckets, nextCounts } from "./counts";

const ME = "me";
const zero: Counts = { waiting: 0, mine: 0, unassigned: 0, bot: 0, agent: 0, resolved: 0, all: 0 };

describe("buckets", () => {
  it("mirrors the server's count rules", () => {
    expect([...buckets(conversation({ status: "waiting" }), ME)].sort()).toEqual(["all", "unassigned", "waiting"]);
    expect([...buckets(conversation({ status: "agent", assignee: { id: ME, name: "Me" } }), ME)].sort()).toEqual(["agent", "all", "mine"]);
    expect(buckets(conversation({ last_message: null }), ME).size).toBe(0);
  });
});

describe("nextCounts", () => {
  it("moves a take-over from Waiting/Unassigned to Mine without asking the server", () => {
    const before = conversation({ status: "waiting" });
    const after = { ...before, status: "agent", assignee: { id: ME, name: "Me" } };
    const counts = { ...zero, waiting: 2, unassigned: 3, all: 5, agent: 1 };
    expect(nextCounts(counts, before, after, ME)).toEqual({ ...counts, waiting: 1, unassigned: 2, agent: 2, mine: 1 });
  });

  it("counts a resolve, and the reopening after it", () => {
    const open = conversation({ status: "agent", assignee: { id: ME, name: "Me" } });
    const resolved = { ...open, status: "resolved" };
    const counts = { ...zero, agent: 1, mine: 1, all: 1 };
    const afterResolve = nextCounts(counts, open, resolved, ME)!;
    expect(afterResolve).toEqual({ ...zero, resolved: 1, all: 1 });
    const reopened = { ...resolved, status: "bot", assignee: null };
    expect(nextCounts(afterResolve, resolved, reopened, ME)).toEqual({ ...zero, bot: 1, unassigned: 1, all: 1 });
  });

  it("returns the same object when nothing counted changed", () => {
    const c = conversation({ status: "bot" });
    const counts = { ...zero, bot: 1, unassigned: 1, all: 1 };
    expect(nextCounts(counts, c, { ...c, updated_at: "2026-12-02T00:00:00Z" }, ME)).toBe(counts);
  });

  it("asks for a refetch for a conversation never seen (it may be counted already)", () => {
    expect(nextCounts({ ...zero }, undefined, conversation({ status: "waiting" }), ME)).toBeNull();
    expect(nextCounts(undefined, undefined, conversation(), ME)).toBeNull();
  });

  it("needs no refetch for a new conversation nobody wrote in yet", () => {
    const counts = { ...zero };
    expect(nextCounts(counts, undefined, conversation({ last_message: null }), ME)).toBe(counts);
  });

  it("counts the first message of a conversation seen while empty", () => {
    const empty = conversation({ last_message: null });
    const written = { ...empty, last_message: { sender: "visitor", text: "hi", created_at: empty.created_at } };
    expect(nextCounts({ ...zero }, empty, written, ME)).toEqual({ ...zero, bot: 1, unassigned: 1, all: 1 });
  });
});
