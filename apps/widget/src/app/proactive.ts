// Proactive rules from the widget config: after N seconds on a page whose address matches a
// pattern, the widget opens with that rule's message (once per page, never over a chat).

export interface ProactiveRule {
  url_pattern: string; // "*" matches anything
  delay_seconds: number;
  text: string;
}

/** A URL glob: `*` is any run of characters, everything else is literal. */
export function matches(pattern: string, url: string): boolean {
  const source = pattern
    .split("*")
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${source}$`).test(url);
}

export function firstRule(rules: readonly ProactiveRule[], url: string): ProactiveRule | null {
  return rules.find((r) => matches(r.url_pattern, url)) ?? null;
}

/** Arms the first matching rule for each page; returns `(url) => void` to call on page changes. */
export function watchRules(
  rules: readonly ProactiveRule[],
  show: (text: string) => void,
): (url: string) => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  return (url: string) => {
    if (timer) clearTimeout(timer);
    timer = null;
    const rule = firstRule(rules, url);
    if (rule) timer = setTimeout(() => show(rule.text), Math.max(0, rule.delay_seconds) * 1000);
  };
}
