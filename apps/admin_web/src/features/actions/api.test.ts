import { describe, expect, it } from "vitest";
import type { ToolAction } from "../../types";
import { mergeAction } from "./api";

function action(id: string, status: string): ToolAction {
  return {
    id, conversation_id: "c1", tool: "cancel_order", source: "demo", policy: "approval",
    arguments: { order_number: "1001" }, status, result: null, error: null, decided_by: null,
    decided_at: null, finished_at: null, created_at: "2026-12-02T07:00:00Z",
  };
}

describe("mergeAction", () => {
  it("replaces an action by id and keeps id order when adding", () => {
    const list = [action("01a", "proposed"), action("01c", "done")];
    expect(mergeAction(list, action("01a", "done")).map((a) => a.status)).toEqual(["done", "done"]);
    expect(mergeAction(list, action("01b", "proposed")).map((a) => a.id)).toEqual(["01a", "01b", "01c"]);
    expect(list[0]?.status).toBe("proposed"); // the cached list is not mutated
  });
});
