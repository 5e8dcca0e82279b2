// The console's pages and the permission each needs: the navigation is built from the
// signed-in caller's permissions, and the router refuses the same pages by the same rule.

export interface NavItem {
  path: string;
  label: string;
  permission: string;
  group: "Team" | "AI" | "Workspace" | "Insights";
  description: string;
}

export const ADMIN_PAGES: NavItem[] = [
  { path: "/admin/users", label: "Users", permission: "users:manage", group: "Team", description: "Create agents and admins, change roles, reset passwords, deactivate." },
  { path: "/admin/roles", label: "Roles", permission: "roles:manage", group: "Team", description: "Named permission sets; built-in admin and agent." },
  { path: "/admin/api-keys", label: "API keys", permission: "api_keys:manage", group: "Team", description: "Keys for integrators; shown once, revocable." },
  { path: "/admin/ai/providers", label: "AI providers", permission: "ai:manage", group: "AI", description: "The LLM fleet: health, priority, keys, on/off, a test call." },
  { path: "/admin/ai/settings", label: "AI settings", permission: "ai:manage", group: "AI", description: "System prompt, context window, welcome message." },
  { path: "/admin/ai/auto-replies", label: "Auto-replies", permission: "ai:manage", group: "AI", description: "Fixed answers for matching questions, with a tester." },
  { path: "/admin/ai/tools", label: "Tool integrations", permission: "ai:manage", group: "AI", description: "Backends that serve the AI's tools: endpoint, signing secret, timeout, a trial call, recent errors." },
  { path: "/admin/knowledge", label: "Knowledge base", permission: "knowledge:manage", group: "AI", description: "Articles the AI answers from, with a retrieval preview." },
  { path: "/admin/canned", label: "Canned responses", permission: "canned:manage", group: "Workspace", description: "Saved replies for the composer's / picker; import and export spreadsheets." },
  { path: "/admin/settings/workspace", label: "Workspace", permission: "settings:manage", group: "Workspace", description: "Handoff phrases, AI while waiting, assignment, capacity, offer timeout." },
  { path: "/admin/settings/business-hours", label: "Business hours", permission: "settings:manage", group: "Workspace", description: "When the team answers, holidays, an override, the queue's wait limit." },
  { path: "/admin/settings/widget", label: "Widget", permission: "settings:manage", group: "Workspace", description: "The website widget's look and its embed snippet." },
  { path: "/admin/webhooks", label: "Webhooks", permission: "webhooks:manage", group: "Workspace", description: "Signed event deliveries to your endpoints: subscriptions, the delivery log, redeliver." },
  { path: "/admin/emails", label: "Emails", permission: "emails:manage", group: "Workspace", description: "The outbox: every email, its attempts and last error; send again." },
  { path: "/admin/audit", label: "Audit log", permission: "audit:read", group: "Workspace", description: "Every admin change, with before and after." },
  { path: "/admin/analytics", label: "Analytics", permission: "analytics:read", group: "Insights", description: "KPIs, traffic, the agent leaderboard and exports." },
];

/** Who is on the site now, for agents (start a chat with them). */
export const VISITORS_PAGE: NavItem = {
  path: "/visitors",
  label: "Visitors",
  permission: "conversations:reply",
  group: "Workspace",
  description: "People on the site right now; start a chat with any of them.",
};

/** Pages outside the console that some non-admins may use too. */
export const REVIEW_PAGE: NavItem = {
  path: "/review/ai-answers",
  label: "AI answers",
  permission: "ai:review",
  group: "AI",
  description: "Every AI reply with its outcome; mark it good, bad or corrected.",
};

/** Agents keep their own canned responses here (the console page also edits everyone's). */
export const CANNED_PAGE: NavItem = {
  path: "/canned",
  label: "Canned responses",
  permission: "conversations:reply",
  group: "Workspace",
  description: "Your saved replies for the composer's / picker.",
};

export function allowed(permissions: readonly string[], item: NavItem): boolean {
  return permissions.includes(item.permission);
}

/** The console pages this caller may open, in menu order. */
export function adminNav(permissions: readonly string[]): NavItem[] {
  return ADMIN_PAGES.filter((item) => allowed(permissions, item));
}

export function pageFor(path: string): NavItem | undefined {
  return [...ADMIN_PAGES, REVIEW_PAGE, CANNED_PAGE, VISITORS_PAGE].find((item) => path === item.path || path.startsWith(`${item.path}/`));
}
