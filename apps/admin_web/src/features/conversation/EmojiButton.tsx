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
        <span aria-hidden="true">🙂</span>
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
