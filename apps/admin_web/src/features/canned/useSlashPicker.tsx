// The composer's `/` picker: typing `/` at the start of the message opens it, filtered as you
// type (fuzzy, on the server); arrows move, Enter or Tab inserts the rendered text for
// editing, Esc closes. The same list component serves the console's canned page.
import { useQuery } from "@tanstack/react-query";
import "./canned.css";
import { useEffect, useId, useState, type KeyboardEvent, type ReactNode } from "react";
import { errorText } from "../../api/client";
import { canned, type Canned } from "./api";

/** `/ret` -> "ret"; null when the text is not a slash command (yet). */
export function slashQuery(text: string): string | null {
  const found = /^\/(\S{0,64})$/.exec(text);
  return found ? (found[1] ?? "") : null;
}

function useDebounced<T>(value: T, ms: number): T {
  const [current, setCurrent] = useState(value);
  useEffect(() => {
    const timer = window.setTimeout(() => setCurrent(value), ms);
    return () => window.clearTimeout(timer);
  }, [value, ms]);
  return current;
}

export function useCannedSearch(query: string | null) {
  const q = useDebounced(query, 80);
  return useQuery({
    queryKey: ["canned", "search", q],
    queryFn: () => canned.search(q ?? ""),
    enabled: q !== null,
    staleTime: 5_000,
  });
}

interface ListProps {
  id: string;
  items: Canned[];
  active: number;
  onPick: (item: Canned) => void;
  onHover: (index: number) => void;
}

/** The options list (a listbox the input controls with aria-activedescendant). */
export function CannedOptions({ id, items, active, onPick, onHover }: ListProps) {
  return (
    <ul id={id} role="listbox" className="canned-options" aria-label="Canned responses">
      {items.map((item, i) => (
        <li
          key={item.id}
          id={`${id}-${i}`}
          role="option"
          aria-selected={i === active}
          className={i === active ? "active" : undefined}
          onMouseDown={(e) => {
            e.preventDefault(); // keep the focus in the composer
            onPick(item);
          }}
          onMouseEnter={() => onHover(i)}
        >
          <span className="canned-shortcut">/{item.shortcut}</span> <strong>{item.title}</strong>
          <span className="canned-preview muted small">{item.body.slice(0, 120)}</span>
        </li>
      ))}
    </ul>
  );
}

export interface SlashPicker {
  open: boolean;
  /** Handle a key in the composer; true when the picker used it (do not send). */
  onKeyDown: (e: KeyboardEvent<HTMLTextAreaElement>) => boolean;
  element: ReactNode;
  inputProps: { "aria-controls"?: string; "aria-activedescendant"?: string };
}

export function useSlashPicker(text: string, conversationId: string, insert: (text: string) => void): SlashPicker {
  const query = slashQuery(text);
  const [dismissed, setDismissed] = useState<string | null>(null);
  const [active, setActive] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const results = useCannedSearch(query);
  const listId = useId();
  const items = results.data?.items ?? [];
  const open = query !== null && dismissed !== text;
  useEffect(() => setActive(0), [query]);

  const pick = async (item: Canned) => {
    setError(null);
    try {
      const rendered = await canned.render(item.id, conversationId);
      insert(rendered.text);
    } catch (exc) {
      setError(errorText(exc));
    }
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>): boolean => {
    if (!open) return false;
    if (e.key === "Escape") {
      e.preventDefault();
      setDismissed(text);
      return true;
    }
    if (items.length === 0) return e.key === "Enter"; // nothing to insert; do not send "/ret"
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      const step = e.key === "ArrowDown" ? 1 : -1;
      setActive((i) => (i + step + items.length) % items.length);
      return true;
    }
    if ((e.key === "Enter" && !e.shiftKey) || e.key === "Tab") {
      e.preventDefault();
      const item = items[Math.min(active, items.length - 1)];
      if (item) void pick(item);
      return true;
    }
    return false;
  };

  const element = open ? (
    <div className="canned-picker" data-testid="canned-picker">
      {results.isPending && <p className="muted small">Searching…</p>}
      {results.error && <p className="ui-field-error">{errorText(results.error)}</p>}
      {error && <p className="ui-field-error" role="alert">Could not insert it: {error}</p>}
      {results.data && items.length === 0 && (
        <p className="muted small">No canned response matches “/{query}”. Esc to close.</p>
      )}
      {items.length > 0 && <CannedOptions id={listId} items={items} active={active} onPick={(i) => void pick(i)} onHover={setActive} />}
      <p className="muted small">↑↓ to choose · Enter to insert · Esc to close</p>
    </div>
  ) : null;

  return {
    open,
    onKeyDown,
    element,
    inputProps: open && items.length > 0
      ? { "aria-controls": listId, "aria-activedescendant": `${listId}-${active}` }
      : {},
  };
}
