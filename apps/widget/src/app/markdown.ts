// A safe Markdown subset for chat messages, shared by the inbox and the widget (the widget keeps
// an identical copy in apps/widget/src/app/markdown.ts; a unit test checks that they match).
//
// It parses text into a small tree that each app renders as elements: nothing is ever turned
// into HTML, so markup in a message stays text. Supported: paragraphs and line breaks,
// "- " / "* " and "1. " lists, **bold**, *italic* / _italic_, `code`, [label](https://…) and
// bare http(s) links. Only http: and https: links are made; anything else stays text.

export type Inline =
  | { t: "text"; v: string }
  | { t: "strong"; c: Inline[] }
  | { t: "em"; c: Inline[] }
  | { t: "code"; v: string }
  | { t: "link"; href: string; c: Inline[] }
  | { t: "br" };

export type Block = { t: "p"; c: Inline[] } | { t: "ul"; items: Inline[][] } | { t: "ol"; items: Inline[][] };

const TRAILING = /[.,;:!?)\]}'"]+$/;
const TOKEN =
  /`([^`\n]+)`|\[([^\]\n]+)\]\((https?:\/\/[^\s()<>]+)\)|\*\*(?=\S)([\s\S]+?)(?<=\S)\*\*|(?<![\w*])\*(?=[^\s*])([\s\S]+?)(?<=[^\s*])\*(?![\w*])|(?<![\w_])_(?=[^\s_])([\s\S]+?)(?<=[^\s_])_(?![\w_])|\bhttps?:\/\/[^\s<>"'`]+/gi;

const URL_ONLY = /\bhttps?:\/\/[^\s<>"'`]+/gi;

export function safeHref(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
  } catch {
    return null;
  }
}

function pushText(out: Inline[], v: string): void {
  if (!v) return;
  const parts = v.split("\n");
  parts.forEach((part, i) => {
    if (i > 0) out.push({ t: "br" });
    if (!part) return;
    const last = out[out.length - 1];
    if (last && last.t === "text") last.v += part;
    else out.push({ t: "text", v: part });
  });
}

export function parseInline(text: string, links = true, markup = true): Inline[] {
  const out: Inline[] = [];
  let last = 0;
  for (const m of text.matchAll(markup ? TOKEN : URL_ONLY)) {
    const start = m.index ?? 0;
    const [whole, code, label, labelHref, strong, em1, em2] = m;
    let consumed = whole.length;
    let node: Inline | null = null;
    if (code !== undefined) node = { t: "code", v: code };
    else if (label !== undefined && labelHref !== undefined) {
      const href = links ? safeHref(labelHref) : null;
      node = href ? { t: "link", href, c: parseInline(label, false) } : null;
    } else if (strong !== undefined) node = { t: "strong", c: parseInline(strong, links) };
    else if (em1 !== undefined || em2 !== undefined) node = { t: "em", c: parseInline((em1 ?? em2)!, links) };
    else if (links) {
      let url = whole;
      const trail = url.match(TRAILING);
      if (trail) url = url.slice(0, url.length - trail[0].length);
      consumed = url.length;
      const href = safeHref(url);
      node = href ? { t: "link", href, c: [{ t: "text", v: url }] } : null;
    }
    if (!node) continue;
    pushText(out, text.slice(last, start));
    out.push(node);
    last = start + consumed;
  }
  pushText(out, text.slice(last));
  return out;
}

const BULLET = /^\s{0,3}[-*]\s+(.*)$/;
const NUMBERED = /^\s{0,3}\d{1,3}[.)]\s+(.*)$/;

/**
 * Blocks of a message. With `markup: false` (what visitors type) only line breaks and bare
 * links are recognised; every other character shows as typed.
 */
export function parse(text: string, { markup = true }: { markup?: boolean } = {}): Block[] {
  const blocks: Block[] = [];
  const normalised = text.replace(/\r\n?/g, "\n");
  if (!markup) return normalised ? [{ t: "p", c: parseInline(normalised, true, false) }] : [];
  const lines = normalised.split("\n");
  let para: string[] = [];
  const flush = () => {
    if (para.length) blocks.push({ t: "p", c: parseInline(para.join("\n")) });
    para = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const bullet = line.match(BULLET);
    const numbered = bullet ? null : line.match(NUMBERED);
    if (bullet || numbered) {
      flush();
      const kind = bullet ? "ul" : "ol";
      const re = bullet ? BULLET : NUMBERED;
      const items: Inline[][] = [];
      let j = i;
      for (; j < lines.length; j++) {
        const m = lines[j]!.match(re);
        if (!m) break;
        items.push(parseInline(m[1] ?? ""));
      }
      blocks.push({ t: kind, items });
      i = j - 1;
    } else if (line.trim() === "") {
      flush();
    } else {
      para.push(line);
    }
  }
  flush();
  return blocks;
}
