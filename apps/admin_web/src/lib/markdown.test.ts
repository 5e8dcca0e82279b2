import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse, parseInline, safeHref } from "./markdown";

describe("inline markdown", () => {
  it("parses bold, italic, code and links", () => {
    expect(parseInline("**Bold** and _it_ and *it* and `x<y>`")).toEqual([
      { t: "strong", c: [{ t: "text", v: "Bold" }] },
      { t: "text", v: " and " },
      { t: "em", c: [{ t: "text", v: "it" }] },
      { t: "text", v: " and " },
      { t: "em", c: [{ t: "text", v: "it" }] },
      { t: "text", v: " and " },
      { t: "code", v: "x<y>" },
    ]);
    expect(parseInline("see [our policy](https://shop.example/returns).")).toEqual([
      { t: "text", v: "see " },
      { t: "link", href: "https://shop.example/returns", c: [{ t: "text", v: "our policy" }] },
      { t: "text", v: "." },
    ]);
  });

  it("links bare http(s) URLs without their trailing punctuation", () => {
    expect(parseInline("Go to https://a.example/x?y=1, then wait.")).toEqual([
      { t: "text", v: "Go to " },
      { t: "link", href: "https://a.example/x?y=1", c: [{ t: "text", v: "https://a.example/x?y=1" }] },
      { t: "text", v: ", then wait." },
    ]);
  });

  it("never makes a link of another scheme, and keeps HTML as text", () => {
    expect(parseInline("[click](javascript:alert(1))")).toEqual([{ t: "text", v: "[click](javascript:alert(1))" }]);
    expect(parseInline('<img src=x onerror="alert(1)">')).toEqual([{ t: "text", v: '<img src=x onerror="alert(1)">' }]);
    expect(safeHref("javascript:alert(1)")).toBeNull();
    expect(safeHref("data:text/html,hi")).toBeNull();
    expect(safeHref("https://ok.example")).toBe("https://ok.example/");
  });

  it("leaves lone and spaced asterisks alone (2 * 3 * 4, snake_case)", () => {
    expect(parseInline("2 * 3 * 4")).toEqual([{ t: "text", v: "2 * 3 * 4" }]);
    expect(parseInline("call my_var_name")).toEqual([{ t: "text", v: "call my_var_name" }]);
  });

  it("does not nest a link inside a link label", () => {
    expect(parseInline("[https://a.example](https://b.example)")).toEqual([
      { t: "link", href: "https://b.example/", c: [{ t: "text", v: "https://a.example" }] },
    ]);
  });
});

describe("blocks", () => {
  it("splits paragraphs, keeps line breaks and reads lists", () => {
    expect(parse("Hi Vera,\nlet me check.\n\n- one\n- **two**\n\n1. first\n2. second")).toEqual([
      { t: "p", c: [{ t: "text", v: "Hi Vera," }, { t: "br" }, { t: "text", v: "let me check." }] },
      { t: "ul", items: [[{ t: "text", v: "one" }], [{ t: "strong", c: [{ t: "text", v: "two" }] }]] },
      { t: "ol", items: [[{ t: "text", v: "first" }], [{ t: "text", v: "second" }]] },
    ]);
  });

  it("for visitors recognises only links and line breaks", () => {
    expect(parse("**not bold**\nhttps://x.example", { markup: false })).toEqual([
      {
        t: "p",
        c: [
          { t: "text", v: "**not bold**" },
          { t: "br" },
          { t: "link", href: "https://x.example/", c: [{ t: "text", v: "https://x.example" }] },
        ],
      },
    ]);
  });

  it("is the same code as the widget's copy", () => {
    const here = readFileSync(new URL("./markdown.ts", import.meta.url), "utf8");
    const widget = readFileSync(new URL("../../../widget/src/app/markdown.ts", import.meta.url), "utf8");
    expect(widget).toBe(here);
  });
});
