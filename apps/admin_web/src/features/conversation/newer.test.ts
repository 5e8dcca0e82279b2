import { describe, expect, it } from "vitest";
import type { Conversation } from "../../types";
import { newer } from "./newer";

const view = (over: Partial<Conversation>): Conversation =>
  ({ id: "c1", status: "waiting", updated_at: "2026-12-02T10:00:00.000Z", ...over }) as Conversation;

describe("newer", () => {
  it("keeps a take-over when the older waiting update arrives after it", () => {
    const taken = view({ status: "agent", updated_at: "2026-12-02T10:00:01.000Z" });
    const stale = view({ status: "waiting", updated_at: "2026-12-02T10:00:00.500Z" });
    expect(newer(taken, stale)).toBe(taken);
  });

  it("takes a later or equally recent view, and any view of another conversation", () => {
    const before = view({ queue_position: 1 });
    const moved = view({ queue_position: 2 });
    expect(newer(before, moved)).toBe(moved);
    const later = view({ status: "agent", updated_at: "2026-12-02T10:00:02.000Z" });
    expect(newer(before, later)).toBe(later);
    const other = view({ id: "c2", updated_at: "2026-12-02T09:00:00.000Z" });
    expect(newer(before, other)).toBe(other);
    expect(newer(null, before)).toBe(before);
  });
});
