// Message text is always text: strings become text nodes (never HTML), and only http(s)
// URLs become links, opened in a new tab without access to this window. Agent and AI messages
// get the safe Markdown subset of markdown.ts (bold, italic, code, lists, [label](https://…)).
import type { JSX } from "preact";
import { parse, type Block, type Inline } from "./markdown";

function inline(nodes: Inline[]): Array<string | JSX.Element> {
  return nodes.map((n) => {
    switch (n.t) {
      case "text":
        return n.v;
      case "br":
        return <br />;
      case "code":
        return <code>{n.v}</code>;
      case "strong":
        return <strong>{inline(n.c)}</strong>;
      case "em":
        return <em>{inline(n.c)}</em>;
      case "link":
        return (
          <a href={n.href} target="_blank" rel="noopener noreferrer nofollow">
            {inline(n.c)}
          </a>
        );
    }
  });
}

function block(b: Block): JSX.Element {
  if (b.t === "p") return <p>{inline(b.c)}</p>;
  const items = b.items.map((item) => <li>{inline(item)}</li>);
  return b.t === "ul" ? <ul>{items}</ul> : <ol>{items}</ol>;
}

/** A message as elements: Markdown for agents and the AI, links and line breaks for visitors. */
export function rich(text: string, markup: boolean): JSX.Element[] {
  return parse(text, { markup }).map(block);
}

export function clock(iso: string): string {
  const d = new Date(iso);
  return isNaN(d.getTime()) ? "" : d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

export function countdown(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}
