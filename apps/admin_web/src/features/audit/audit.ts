// Reading audit entries: their changes as before/after pairs, and a CSV of what was loaded.
import type { AuditEntry } from "../../api/admin";

export interface Change {
  field: string;
  before: unknown;
  after: unknown;
}

/** `changes` is `{field: {before, after}}`; anything else is shown as the value it holds. */
export function changesOf(entry: Pick<AuditEntry, "changes">): Change[] {
  return Object.entries(entry.changes ?? {}).map(([field, value]) => {
    if (value && typeof value === "object" && ("before" in value || "after" in value)) {
      const v = value as { before?: unknown; after?: unknown };
      return { field, before: v.before ?? null, after: v.after ?? null };
    }
    return { field, before: null, after: value };
  });
}

export function show(value: unknown): string {
  if (value === null || value === undefined) return "—";
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}

function cell(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** A CSV with one row per entry; formulas are defused for spreadsheets (a leading = + - @). */
export function toCsv(entries: AuditEntry[]): string {
  const safe = (v: string) => (/^[=+\-@]/.test(v) ? `'${v}` : v);
  const rows = [["at", "actor_kind", "actor_id", "actor_name", "action", "target_type", "target_id", "changes"]];
  for (const e of entries) {
    rows.push([e.at, e.actor.kind, e.actor.id ?? "", e.actor.name, e.action, e.target_type, e.target_id ?? "", JSON.stringify(e.changes ?? {})]);
  }
  return rows.map((r) => r.map((v) => cell(safe(v))).join(",")).join("\r\n") + "\r\n";
}
