import type { ReactNode } from "react";
import { parse, type Block, type Inline } from "./markdown";

function inline(nodes: Inline[], key = ""): ReactNode[] {
  return nodes.map((n, i) => {
    const k = `${key}${i}`;
    switch (n.t) {
      case "text":
        return n.v;
      case "br":
        return <br key={k} />;
      case "code":
        return <code key={k}>{n.v}</code>;
      case "strong":
        return <strong key={k}>{inline(n.c, `${k}-`)}</strong>;
      case "em":
        return <em key={k}>{inline(n.c, `${k}-`)}</em>;
      case "link":
        return (
          <a key={k} href={n.href} target="_blank" rel="noopener noreferrer nofollow">
            {inline(n.c, `${k}-`)}
          </a>
        );
    }
  });
}

function block(b: Block, i: number): ReactNode {
  if (b.t === "p") return <p key={i}>{inline(b.c)}</p>;
  const items = b.items.map((item, j) => <li key={j}>{inline(item)}</li>);
  return b.t === "ul" ? <ul key={i}>{items}</ul> : <ol key={i}>{items}</ol>;
}

/** Message text as safe Markdown (see markdown.ts): elements only, never HTML. */
export function Markdown({ text, markup = true }: { text: string; markup?: boolean }) {
  return <>{parse(text, { markup }).map(block)}</>;
}
