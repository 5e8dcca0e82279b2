// Keyboard shortcuts for the inbox. Single keys, ignored while typing in a field or with a
// modifier held, so they never steal a character from the composer.

export interface Shortcut {
  key: string;
  label: string;
}

export const SHORTCUTS: Shortcut[] = [
  { key: "j", label: "Next conversation" },
  { key: "k", label: "Previous conversation" },
  { key: "/", label: "Search all conversations" },
  { key: "r", label: "Reply (focus the composer)" },
  { key: "t", label: "Take over" },
  { key: "e", label: "Resolve" },
  { key: "?", label: "Show these shortcuts" },
];

export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT";
}

/** The conversation id j/k move to, given the list's ids in order and the open one. */
export function step(ids: readonly string[], current: string | null, delta: 1 | -1): string | null {
  if (ids.length === 0) return null;
  const index = current === null ? -1 : ids.indexOf(current);
  if (index === -1) return delta === 1 ? ids[0]! : ids[ids.length - 1]!;
  const next = index + delta;
  return next < 0 || next >= ids.length ? ids[index]! : ids[next]!;
}
