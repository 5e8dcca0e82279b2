import { useEffect, useId, useRef, useState } from "react";
import { searchEmoji } from "../../lib/emoji";
import "./emoji.css";

/** A button that opens a small emoji palette (searchable, keyboard reachable); Escape closes it. */
export function EmojiButton({ disabled, onPick }: { disabled: boolean; onPick: (emoji: string) => void }) {
  const [open, setOpen] = useState(false);
  const [query, setQuery] = useState("");
  const button = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLDivElement>(null);
  const search = useRef<HTMLInputElement>(null);
  const id = useId();

  useEffect(() => {
    if (!open) return undefined;
    search.current?.focus();
    const away = (e: MouseEvent) => {
      if (!panel.current?.contains(e.target as Node) && e.target !== button.current) setOpen(false);
    };
    document.addEventListener("mousedown", away);
    return () => document.removeEventListener("mousedown", away);
  }, [open]);

  const close = () => {
    setOpen(false);
    setQuery("");
    button.current?.focus();
  };
  const found = searchEmoji(query);
  return (
    <div className="emoji">
      <button
        ref={button}
        type="button"
        className="icon-button"
        aria-label="Insert emoji"
        aria-expanded={open}
        aria-controls={open ? id : undefined}
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
      {open && (
        <div
          ref={panel}
          id={id}
          role="dialog"
          aria-label="Emoji"
          className="emoji-panel"
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
            onChange={(e) => setQuery(e.target.value)}
          />
          <div className="emoji-grid">
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
            {!found.length && <p className="muted">No emoji match “{query}”.</p>}
          </div>
        </div>
      )}
    </div>
  );
}
