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

  const close = (): void => {
    setOpen(false);
    setQuery("");
    if (button.current) button.current.focus();
  };

  useEffect(() => {
    if (!open) return undefined;
    if (search.current) search.current.focus();
    const away = (e: MouseEvent): void => {
      if (panel.current && !panel.current.contains(e.target as Node) && e.target !== button.current) setOpen(false);
    };
    // Escape closes the palette first, wherever focus is (capture: before the panel's own
    // Escape, which would close the whole chat)
    const escape = (e: KeyboardEvent): void => {
      if (e.key !== "Escape") return;
      e.stopPropagation();
      close();
    };
    document.addEventListener("mousedown", away);
    document.addEventListener("keydown", escape, true);
    return () => {
      document.removeEventListener("mousedown", away);
      document.removeEventListener("keydown", escape, true);
    };
  }, [open]);

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
        <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
          <path
            fill="currentColor"
            d="M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm0 18a8 8 0 1 1 0-16 8 8 0 0 1 0 16zm-3.5-9a1.5 1.5 0 1 0 0-3 1.5 1.5 0 0 0 0 3zm7 0a1.5 1.5 0 1 0 0-3 1.5 1.5 0 0 0 0 3zM12 17.5c2.3 0 4.3-1.4 5.1-3.5H6.9c.8 2.1 2.8 3.5 5.1 3.5z"
          />
        </svg>
      </button>
      {open ? (
        <div
          ref={panel}
          role="dialog"
          aria-label="Emoji"
          class="emoji-panel"
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
