/** The emoji agents reach for in support replies, with names to search and to read aloud. */
export const EMOJI: ReadonlyArray<readonly [string, string]> = [
  ["😀", "grinning face"], ["😊", "smiling face"], ["🙂", "slightly smiling face"], ["😉", "winking face"],
  ["😄", "grinning face with smiling eyes"], ["😅", "grinning face with sweat"], ["😂", "face with tears of joy"],
  ["🥲", "smiling face with tear"], ["😍", "smiling face with heart eyes"], ["🤔", "thinking face"],
  ["😮", "face with open mouth"], ["😢", "crying face"], ["😔", "pensive face"], ["🙏", "folded hands thanks please"],
  ["👍", "thumbs up yes ok"], ["👎", "thumbs down no"], ["👋", "waving hand hello bye"], ["👏", "clapping hands"],
  ["🙌", "raising hands celebrate"], ["🤝", "handshake deal"], ["💪", "flexed biceps strong"], ["👀", "eyes looking"],
  ["✅", "check mark done"], ["❌", "cross mark no"], ["⚠️", "warning"], ["❗", "exclamation mark"], ["❓", "question mark"],
  ["💡", "light bulb idea tip"], ["🎉", "party popper congratulations"], ["✨", "sparkles new"], ["🔥", "fire hot"],
  ["❤️", "red heart love"], ["💙", "blue heart"], ["⭐", "star"], ["📦", "package parcel order"], ["🚚", "delivery truck shipping"],
  ["🛒", "shopping cart"], ["💳", "credit card payment"], ["💰", "money bag refund"], ["🧾", "receipt invoice"],
  ["📧", "email"], ["📞", "telephone call"], ["📱", "mobile phone"], ["💻", "laptop computer"], ["🔒", "lock secure"],
  ["🔑", "key password"], ["🔗", "link"], ["📎", "paperclip attachment"], ["📅", "calendar date"], ["⏰", "alarm clock time"],
  ["⏳", "hourglass waiting"], ["🕐", "one o'clock"], ["🔧", "wrench fix"], ["🛠️", "hammer and wrench tools"],
  ["🐛", "bug"], ["🚀", "rocket launch fast"], ["📈", "chart increasing"], ["☕", "hot beverage coffee"], ["🌟", "glowing star"],
];

export function searchEmoji(query: string): ReadonlyArray<readonly [string, string]> {
  const q = query.trim().toLowerCase();
  return q ? EMOJI.filter(([, name]) => name.includes(q)) : EMOJI;
}

/** ``text`` with ``insert`` put where the selection was, and where the caret goes after it. */
export function insertAt(text: string, insert: string, start: number, end: number): { text: string; caret: number } {
  const from = Math.max(0, Math.min(start, text.length));
  const to = Math.max(from, Math.min(end, text.length));
  return { text: text.slice(0, from) + insert + text.slice(to), caret: from + insert.length };
}
