import { describe, expect, it } from "vitest";
import type { AuditEntry } from "../../api/admin";
import { changesOf, show, toCsv } from "./audit";

const entry = (over: Partial<AuditEntry> = {}): AuditEntry => ({
  id: "e1",
  at: "2026-12-01T12:00:00Z",
  actor: { kind: "user", id: "u1", name: "Ada" },
  action: "users.updated",
  target_type: "user",
  target_id: "u2",
  changes: { role: { before: "agent", after: "admin" } },
  ...over,
});

describe("audit entries", () => {
  it("reads changes as before/after pairs", () => {
    expect(changesOf(entry())).toEqual([{ field: "role", before: "agent", after: "admin" }]);
    expect(changesOf(entry({ changes: { note: "plain" } }))).toEqual([{ field: "note", before: null, after: "plain" }]);
    expect(show(null)).toBe("—");
    expect(show(["a", "b"])).toBe('["a","b"]');
  });

  it("writes a CSV that quotes what needs it and defuses spreadsheet formulas", () => {
    const csv = toCsv([entry({ actor: { kind: "user", id: "u1", name: '=HYPERLINK("x")' } })]);
    const [head, row] = csv.trim().split("\r\n");
    expect(head).toBe("at,actor_kind,actor_id,actor_name,action,target_type,target_id,changes");
    expect(row).toContain(`"'=HYPERLINK(""x"")"`);
    expect(row).toContain(`"{""role"":{""before"":""agent"",""after"":""admin""}}"`);
  });
});
