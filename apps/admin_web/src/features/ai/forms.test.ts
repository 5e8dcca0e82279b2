import { describe, expect, it } from "vitest";
import type { Provider } from "../../api/admin";
import { tags } from "../knowledge/KnowledgePage";
import { phrases } from "../settings/WorkspacePage";
import { reorder, usage } from "./ProvidersPage";

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

describe("provider usage from the answer log summary", () => {
  const row = (provider_name: string | null, replies: number, failed: number, avg_first_token_ms: number | null) =>
    ({ provider_name, replies, failed, avg_first_token_ms, response_type: "llm" }) as never;
  it("adds up a provider's rows and weights latency by replies", () => {
    const summary = { rows: [row("GPT", 3, 1, 100), row("GPT", 1, 0, 500), row("Other", 9, 9, 1)] };
    expect(usage(summary, "GPT")).toEqual({ replies: 4, failed: 1, firstTokenMs: 200 });
    expect(usage(summary, "Nobody")).toBeNull();
  });
});
