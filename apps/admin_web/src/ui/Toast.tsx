import { Store, useStore } from "../lib/store";

export interface ToastItem {
  id: number;
  text: string;
  kind: "info" | "error";
}

export const toasts = new Store<ToastItem[]>([]);
let nextId = 1;

/** Show a short confirmation (or an error) in the corner; it goes away by itself. */
export function toast(text: string, kind: ToastItem["kind"] = "info"): void {
  const id = nextId++;
  toasts.set((items) => [...items.slice(-3), { id, text, kind }]);
  window.setTimeout(() => dismiss(id), kind === "error" ? 8000 : 4000);
}

function dismiss(id: number): void {
  toasts.set((items) => items.filter((t) => t.id !== id));
}

export function Toaster() {
  const items = useStore(toasts);
  return (
    <div className="ui-toasts" role="status" aria-live="polite">
      {items.map((t) => (
        <div key={t.id} className={`ui-toast ui-toast-${t.kind}`} data-testid="toast">
          <span>{t.text}</span>
          <button type="button" aria-label="Dismiss" onClick={() => dismiss(t.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
