import { describe, expect, it } from "vitest";
import { adminNav, allowed, CANNED_PAGE, pageFor, REVIEW_PAGE } from "./nav";

const ADMIN = ["conversations:read", "conversations:read_all", "users:manage", "roles:manage", "api_keys:manage", "ai:manage", "ai:review", "knowledge:manage", "settings:manage", "analytics:read", "audit:read"];
const AGENT = ["conversations:read", "conversations:reply", "conversations:handoff", "conversations:resolve", "ai:review"];

describe("navigation from permissions", () => {
  it("gives an admin every console page", () => {
    expect(adminNav(ADMIN).map((i) => i.label)).toEqual([
      "Users",
      "Roles",
      "API keys",
      "AI providers",
      "AI settings",
      "Auto-replies",
      "Tool integrations",
      "Knowledge base",
      "Workspace",
      "Business hours",
      "Widget",
      "Audit log",
      "Analytics",
    ]);
  });

  it("gives an agent no console page, but the AI answer review", () => {
    expect(adminNav(AGENT)).toEqual([]);
    expect(allowed(AGENT, REVIEW_PAGE)).toBe(true);
  });

  it("shows a role only what its permissions allow", () => {
    expect(adminNav(["knowledge:manage"]).map((i) => i.path)).toEqual(["/admin/knowledge"]);
    expect(adminNav(["analytics:read"]).map((i) => i.path)).toEqual(["/admin/analytics"]);
    expect(adminNav(AGENT).some((i) => i.path === "/admin/analytics")).toBe(false);
  });

  it("shows the tool integrations page to whoever manages the AI", () => {
    expect(adminNav(["ai:manage"]).map((i) => i.path)).toContain("/admin/ai/tools");
    expect(pageFor("/admin/ai/tools")?.permission).toBe("ai:manage");
    expect(adminNav(AGENT).some((i) => i.path === "/admin/ai/tools")).toBe(false);
  });

  it("shows the webhooks page to whoever manages webhooks", () => {
    expect(adminNav(["webhooks:manage"]).map((i) => i.path)).toEqual(["/admin/webhooks"]);
    expect(pageFor("/admin/webhooks")?.permission).toBe("webhooks:manage");
  });

  it("finds the page (and so the permission) behind an address", () => {
    expect(pageFor("/admin/users")?.permission).toBe("users:manage");
    expect(pageFor("/admin/ai/providers")?.permission).toBe("ai:manage");
    expect(pageFor("/nowhere")).toBeUndefined();
  });
});

describe("canned responses", () => {
  it("are a console page for canned:manage and the agents' own page otherwise", () => {
    expect(adminNav(["canned:manage"]).map((i) => i.path)).toEqual(["/admin/canned"]);
    expect(allowed(AGENT, CANNED_PAGE)).toBe(true);
    expect(pageFor("/canned")?.permission).toBe("conversations:reply");
  });
});
