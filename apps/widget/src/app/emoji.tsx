// The composer's emoji palette: searchable, reachable by keyboard, Escape closes it. The list
// is the inbox's (emoji-list.ts, kept identical by a test in apps/admin_web).
import type { JSX } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { searchEmoji } from "./emoji-list";

export function EmojiButton({ disabled, onPick }: { disabled: boolean; onPick: (emoji: string) => void }): JSX.Element {
  const [open, setOpen] = useState(false);
  const [query, setQuery] = useState("");
  const button = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLDivElement>(null);
  const search = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (!open) return undefined;
    if (search.current) search.current.focus();
    const away = (e: MouseEvent): void => {
      if (panel.current && !panel.current.contains(e.target as Node) && e.target !== button.current) setOpen(false);
    };
    document.addEventListener("mousedown", away);
    return () => document.removeEventListener("mousedown", away);
  }, [open]);

  const close = (): void => {
    setOpen(false);
    setQuery("");
    if (button.current) button.current.focus();
  };
  const found = searchEmoji(query);
  return (
    <div class="emoji">
      <button
        ref={button}
        type="button"
        class="attach"
        aria-label="Insert emoji"
        aria-expanded={open}
        disabled={disabled}
        onClick={() => setOpen(!open)}
      >
        <span aria-hidden="true">🙂</span>
      </button>
      {open ? (
        <div
          ref={panel}
          role="dialog"
          aria-label="Emoji"
          class="emoji-panel"
          onKeyDown={(e) => {
            if (e.key === "Escape") {
              e.stopPropagation();
              close();
            }
          }}
        >
          <input
            ref={search}
            type="search"
            aria-label="Search emoji"
            placeholder="Search emoji"
            value={query}
            onInput={(e) => setQuery((e.currentTarget as HTMLInputElement).value)}
          />
          <div class="emoji-grid">
            {found.map(([emoji, name]) => (
              <button
                key={emoji}
                type="button"
                aria-label={name}
                title={name}
                onClick={() => {
                  onPick(emoji);
                  setOpen(false);
                  setQuery("");
                }}
              >
                {emoji}
              </button>
            ))}
            {found.length ? null : <p class="none">No emoji match “{query}”.</p>}
          </div>
        </div>
      ) : null}
    </div>
  );
}
