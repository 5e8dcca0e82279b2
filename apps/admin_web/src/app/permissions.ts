// The permission names a role or an API key can hold (apps/api/baton/auth/permissions.py),
// with what each lets its holder do, for the role editor and the API key scopes.

export interface PermissionInfo {
  name: string;
  label: string;
  group: "Conversations" | "Team" | "AI" | "Workspace";
}

export const PERMISSIONS: PermissionInfo[] = [
  { name: "conversations:read", label: "See conversations", group: "Conversations" },
  { name: "conversations:read_all", label: "See every conversation (the All tab)", group: "Conversations" },
  { name: "conversations:reply", label: "Take over and reply", group: "Conversations" },
  { name: "conversations:handoff", label: "Queue a conversation for a person", group: "Conversations" },
  { name: "conversations:assign", label: "Assign conversations to others", group: "Conversations" },
  { name: "conversations:resolve", label: "Resolve conversations", group: "Conversations" },
  { name: "users:manage", label: "Manage users", group: "Team" },
  { name: "roles:manage", label: "Manage roles", group: "Team" },
  { name: "api_keys:manage", label: "Manage API keys", group: "Team" },
  { name: "ai:manage", label: "Manage AI providers, settings and auto-replies", group: "AI" },
  { name: "ai:review", label: "Review AI answers", group: "AI" },
  { name: "knowledge:manage", label: "Edit the knowledge base", group: "AI" },
  { name: "settings:manage", label: "Change workspace and widget settings", group: "Workspace" },
  { name: "analytics:read", label: "Read analytics and exports", group: "Workspace" },
  { name: "audit:read", label: "Read the audit log", group: "Workspace" },
  { name: "canned:manage", label: "Manage everyone's canned responses and imports", group: "Workspace" },
];

/** What an API key may do when no scopes are chosen: the conversation API. */
export const INTEGRATOR_SCOPES = PERMISSIONS.filter((p) => p.group === "Conversations").map((p) => p.name);
