import { describe, expect, it } from "vitest";
import type { Provider } from "../../api/admin";
import { tags } from "../knowledge/KnowledgePage";
import { phrases } from "../settings/WorkspacePage";
import { reorder } from "./ProvidersPage";

const p = (id: string, priority: number) => ({ id, priority }) as Provider;

describe("provider priority", () => {
  it("moving one up renumbers the fleet 10, 20, 30 in the new order and patches only what changed", () => {
    expect(reorder([p("a", 10), p("b", 20), p("c", 30)], "c", -1)).toEqual([
      { id: "c", priority: 20 },
      { id: "b", priority: 30 },
    ]);
  });

  it("spreads equal priorities apart so the order sticks", () => {
    expect(reorder([p("a", 100), p("b", 100)], "b", -1)).toEqual([
      { id: "b", priority: 10 },
      { id: "a", priority: 20 },
    ]);
  });

  it("does nothing past either end", () => {
    expect(reorder([p("a", 10), p("b", 20)], "a", -1)).toEqual([]);
    expect(reorder([p("a", 10), p("b", 20)], "b", 1)).toEqual([]);
  });
});

describe("list fields", () => {
  it("reads one phrase per line, trimmed, without blanks or repeats", () => {
    expect(phrases(" human \n\nAgent\nhuman\n  ")).toEqual(["human", "Agent"]);
  });

  it("reads comma-separated tags", () => {
    expect(tags("shipping, returns,,shipping ")).toEqual(["shipping", "returns"]);
  });
});
