/** Initials and a stable colour for a person who has no picture (visitors, agents). */

// white text on each of these passes WCAG AA (contrast 5:1 or more)
export const AVATAR_COLORS: readonly string[] = ["#1d4ed8", "#6d28d9", "#be185d", "#b45309", "#047857", "#0e7490", "#4338ca", "#b91c1c", "#a21caf", "#374151"];

export function initials(name: string): string {
  const words = name.replace(/[^\p{L}\p{N}\s'-]/gu, " ").trim().split(/\s+/).filter(Boolean);
  if (!words.length) return "?";
  const letter = (word: string | undefined): string => (word ? (Array.from(word)[0] ?? "") : "");
  const last = words.length > 1 ? letter(words[words.length - 1]) : "";
  return (letter(words[0]) + last).toUpperCase();
}

/** The same person always gets the same colour (a hash of their id). */
export function avatarColor(seed: string): string {
  let hash = 0;
  for (const ch of seed) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return AVATAR_COLORS[hash % AVATAR_COLORS.length] ?? "#374151";
}
