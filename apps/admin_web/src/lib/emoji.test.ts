import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { EMOJI, insertAt, searchEmoji } from "./emoji";

describe("emoji", () => {
  it("inserts at the caret and replaces a selection", () => {
    expect(insertAt("Thanks!", " 🙏", 7, 7)).toEqual({ text: "Thanks! 🙏", caret: 10 });
    expect(insertAt("Thanks!", "🙏", 0, 0)).toEqual({ text: "🙏Thanks!", caret: 2 });
    expect(insertAt("I am sad", "😢", 5, 8)).toEqual({ text: "I am 😢", caret: 7 });
  });

  it("keeps out-of-range selections inside the text", () => {
    expect(insertAt("ok", "👍", 10, 12)).toEqual({ text: "ok👍", caret: 4 });
    expect(insertAt("ok", "👍", 2, 1)).toEqual({ text: "ok👍", caret: 4 });
  });

  it("searches by name and shows all for an empty query", () => {
    expect(searchEmoji("")).toBe(EMOJI);
    expect(searchEmoji("THUMBS").map(([e]) => e)).toEqual(["👍", "👎"]);
    expect(searchEmoji("refund").map(([e]) => e)).toEqual(["💰"]);
    expect(searchEmoji("no such emoji")).toEqual([]);
  });

  it("has no duplicates", () => {
    expect(new Set(EMOJI.map(([e]) => e)).size).toBe(EMOJI.length);
  });

  it("is the same list as the widget's copy", () => {
    const here = readFileSync(new URL("./emoji.ts", import.meta.url), "utf8");
    const widget = readFileSync(new URL("../../../widget/src/app/emoji-list.ts", import.meta.url), "utf8");
    expect(widget).toBe(here);
  });
});
