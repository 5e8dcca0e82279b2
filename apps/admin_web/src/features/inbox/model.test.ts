import { describe, expect, it } from "vitest";
import { conversation } from "../../test/factories";
import { applyToPages, applyUpdate, belongs, compare, priorityLabel, tabFor, visitorLabel } from "./model";

const ME = "me";
const dana = { id: ME, name: "Dana" };
const bob = { id: "bob", name: "Bob" };

describe("belongs", () => {
  it("places each status and assignee in the tabs the server would", () => {
    const waiting = conversation({ status: "waiting", waiting_since: "2026-12-01T12:00:00Z" });
    const mine = conversation({ status: "agent", assignee: dana });
    const theirs = conversation({ status: "agent", assignee: bob });
    const resolvedMine = conversation({ status: "resolved", assignee: dana });
    expect(["waiting", "mine", "unassigned", "resolved", "all"].filter((t) => belongs(t as never, waiting, ME))).toEqual(["waiting", "unassigned", "all"]);
    expect(belongs("mine", mine, ME)).toBe(true);
    expect(belongs("mine", theirs, ME)).toBe(false);
    expect(belongs("unassigned", theirs, ME)).toBe(false);
    expect(belongs("mine", resolvedMine, ME)).toBe(false);
    expect(belongs("resolved", resolvedMine, ME)).toBe(true);
  });

  it("hides conversations nobody wrote in, like the server", () => {
    expect(belongs("all", conversation({ last_message: null }), ME)).toBe(false);
  });
});

describe("compare", () => {
  it("orders the queue oldest first and every other tab newest first", () => {
    const early = conversation({ status: "waiting", waiting_since: "2026-12-01T10:00:00Z", updated_at: "2026-12-01T13:00:00Z" });
    const late = conversation({ status: "waiting", waiting_since: "2026-12-01T11:00:00Z", updated_at: "2026-12-01T12:00:00Z" });
    expect([late, early].sort(compare("waiting")).map((c) => c.id)).toEqual([early.id, late.id]);
    // elsewhere the most recently updated first: early was updated at 13:00, late at 12:00
    expect([late, early].sort(compare("all")).map((c) => c.id)).toEqual([early.id, late.id]);
  });
});

describe("priority", () => {
  it("serves a frustrated visitor first and says why", () => {
    const calm = conversation({ status: "waiting", waiting_since: "2026-12-01T10:00:00Z" });
    const high = conversation({ status: "waiting", waiting_since: "2026-12-01T11:00:00Z", priority: "high", priority_reason: "visitor_frustrated" });
    const urgent = conversation({ status: "waiting", waiting_since: "2026-12-01T11:30:00Z", priority: "urgent", priority_reason: "visitor_frustrated" });
    expect([calm, high, urgent].sort(compare("waiting")).map((c) => c.id)).toEqual([urgent.id, high.id, calm.id]);
    expect(priorityLabel(high)).toBe("High: visitor frustrated");
    expect(priorityLabel(calm)).toBeNull();
    expect(priorityLabel({ ...high, status: "agent" })).toBeNull();
  });

  it("moves a row up when its conversation_updated raises it", () => {
    const first = conversation({ status: "waiting", waiting_since: "2026-12-01T10:00:00Z" });
    const second = conversation({ status: "waiting", waiting_since: "2026-12-01T11:00:00Z" });
    const raised = { ...second, priority: "high", priority_reason: "visitor_frustrated" };
    expect(applyUpdate([first, second], raised, "waiting", ME, { insertNew: true }).map((x) => x.id)).toEqual([second.id, first.id]);
  });
});

describe("applyUpdate", () => {
  it("keeps the later view when an older update arrives after a newer row", () => {
    const taken = conversation({ status: "agent", assignee: dana, updated_at: "2026-12-01T12:00:05Z" });
    const stale = { ...taken, status: "waiting" as const, assignee: null, waiting_since: "2026-12-01T11:59:00Z", updated_at: "2026-12-01T12:00:00Z" };
    const list = [taken];
    expect(applyUpdate(list, stale, "mine", ME, { insertNew: true })).toBe(list);
    // the same instant (a new queue position) still replaces the row
    const moved = { ...taken, queue_position: 2 };
    expect(applyUpdate(list, moved, "mine", ME, { insertNew: true })[0]).toBe(moved);
  });

  it("moves a taken-over conversation out of Waiting and into Mine", () => {
    const c = conversation({ status: "waiting", waiting_since: "2026-12-01T12:00:00Z" });
    const other = conversation({ status: "waiting", waiting_since: "2026-12-01T12:30:00Z" });
    const taken = { ...c, status: "agent", assignee: dana, waiting_since: null };
    expect(applyUpdate([c, other], taken, "waiting", ME, { insertNew: true }).map((x) => x.id)).toEqual([other.id]);
    expect(applyUpdate([], taken, "mine", ME, { insertNew: true }).map((x) => x.id)).toEqual([c.id]);
  });

  it("inserts a new row only when asked (a search lets the server decide)", () => {
    const c = conversation({ status: "waiting", waiting_since: "2026-12-01T12:00:00Z" });
    expect(applyUpdate([], c, "waiting", ME, { insertNew: false })).toEqual([]);
    expect(applyUpdate([], c, "waiting", ME, { insertNew: true })).toEqual([c]);
  });

  it("keeps the list untouched (same array) for a conversation that never belonged", () => {
    const list = [conversation({ status: "resolved" })];
    expect(applyUpdate(list, conversation({ status: "bot" }), "resolved", ME, { insertNew: true })).toBe(list);
  });

  it("re-sorts a row that changed in place", () => {
    const a = conversation({ status: "bot", updated_at: "2026-12-01T12:00:00Z" });
    const b = conversation({ status: "bot", updated_at: "2026-12-01T12:01:00Z" });
    const newer = { ...a, updated_at: "2026-12-01T12:05:00Z" };
    expect(applyUpdate([b, a], newer, "all", ME, { insertNew: true }).map((x) => x.id)).toEqual([a.id, b.id]);
  });
});

describe("tabFor and visitorLabel", () => {
  it("opens a search result in the tab it lives in", () => {
    expect(tabFor(conversation({ status: "agent", assignee: dana }), ME, "waiting")).toBe("mine");
    expect(tabFor(conversation({ status: "resolved" }), ME, "waiting")).toBe("resolved");
    expect(tabFor(conversation({ status: "agent", assignee: bob }), ME, "all")).toBe("all");
  });

  it("names a visitor by name, email, or the end of their id", () => {
    expect(visitorLabel(conversation({ visitor: { ...conversation().visitor, id: "abcd1234", name: null, email: null } }))).toBe("Visitor 1234");
    expect(visitorLabel(conversation({ visitor: { ...conversation().visitor, name: "Vera" } }))).toBe("Vera");
  });
});

describe("applyToPages", () => {
  const at = (minute: number) => `2026-12-01T12:${String(minute).padStart(2, "0")}:00Z`;
  it("moves a row to the top across loaded pages, keeping page sizes and cursors", () => {
    const [a, b, c, d] = [4, 3, 2, 1].map((m) => conversation({ status: "bot", updated_at: at(m) }));
    const data = {
      pages: [
        { items: [a!, b!], next_cursor: "p2" },
        { items: [c!, d!], next_cursor: null },
      ],
      pageParams: [undefined, "p2"],
    };
    const newer = { ...d!, updated_at: at(9) };
    const next = applyToPages(data, newer, "all", ME, { insertNew: true });
    expect(next.pages.map((p) => p.items.map((x) => x.id))).toEqual([
      [d!.id, a!.id],
      [b!.id, c!.id],
    ]);
    expect(next.pages.map((p) => p.next_cursor)).toEqual(["p2", null]);
    expect(next.pageParams).toBe(data.pageParams);
  });

  it("drops a row that left the tab and returns the same data when nothing changed", () => {
    const w = conversation({ status: "waiting", waiting_since: at(1) });
    const data = { pages: [{ items: [w], next_cursor: null }], pageParams: [undefined] };
    expect(applyToPages(data, { ...w, status: "agent", assignee: dana }, "waiting", ME, { insertNew: true }).pages[0]!.items).toEqual([]);
    expect(applyToPages(data, conversation({ status: "resolved" }), "waiting", ME, { insertNew: true })).toBe(data);
  });
});
