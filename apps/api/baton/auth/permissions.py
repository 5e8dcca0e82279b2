"""Roles grant named permissions; handlers check permissions, never role names.

Two roles are built in: ``admin`` holds every permission (including any added later) and
cannot be changed; ``agent`` starts with ``AGENT_PERMISSIONS`` and may be edited (a row in
``roles`` then overrides the default). Admins create further roles (``roles`` table).

Where permissions are resolved:

- Authentication (``auth.service.authenticate``) reads the caller's role from the database
  on every REST request and socket re-validation, so a role change takes effect at once.
- Code that needs a role's permissions without a session (e.g. choosing agents to offer a
  conversation) calls the synchronous ``permissions_for_role``. It answers from a per-process
  cache of the ``roles`` table: replaced after a role change commits in this process, updated
  for a role whenever a caller holding it authenticates, and reloaded whole when older than
  ``CACHE_SECONDS`` (``refresh_role_cache``, called from authentication). Another process
  therefore sees a change within ``CACHE_SECONDS`` even if none of its callers hold the role.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from enum import StrEnum


class Permission(StrEnum):
    CONVERSATIONS_READ = "conversations:read"
    CONVERSATIONS_READ_ALL = "conversations:read_all"
    CONVERSATIONS_REPLY = "conversations:reply"
    CONVERSATIONS_HANDOFF = "conversations:handoff"
    CONVERSATIONS_ASSIGN = "conversations:assign"
    CONVERSATIONS_RESOLVE = "conversations:resolve"
    CONVERSATIONS_INGEST = "conversations:ingest"  # post visitor messages (API channel)
    USERS_MANAGE = "users:manage"
    ROLES_MANAGE = "roles:manage"
    API_KEYS_MANAGE = "api_keys:manage"
    AI_MANAGE = "ai:manage"
    AI_REVIEW = "ai:review"
    KNOWLEDGE_MANAGE = "knowledge:manage"
    SETTINGS_MANAGE = "settings:manage"
    ANALYTICS_READ = "analytics:read"
    AUDIT_READ = "audit:read"
    TICKETS_READ = "tickets:read"
    TICKETS_REPLY = "tickets:reply"  # reply, assign, resolve, reopen, convert a conversation
    EMAILS_MANAGE = "emails:manage"  # the outbox: read every email, re-send
    WEBHOOKS_MANAGE = "webhooks:manage"  # subscriptions, the delivery log, redeliver
    CANNED_MANAGE = "canned:manage"  # global canned responses and their import
    ACTIONS_APPROVE = "actions:approve"  # approve or reject actions the AI proposes


ALL_PERMISSIONS = frozenset(Permission)

AGENT_PERMISSIONS = frozenset(
    {
        Permission.CONVERSATIONS_READ,
        Permission.CONVERSATIONS_REPLY,
        Permission.CONVERSATIONS_HANDOFF,
        Permission.CONVERSATIONS_RESOLVE,
        Permission.AI_REVIEW,
        Permission.TICKETS_READ,
        Permission.TICKETS_REPLY,
        Permission.ACTIONS_APPROVE,
    }
)

ADMIN_ROLE = "admin"
AGENT_ROLE = "agent"
BUILTIN_ROLES: dict[str, frozenset[Permission]] = {
    ADMIN_ROLE: ALL_PERMISSIONS,
    AGENT_ROLE: AGENT_PERMISSIONS,
}
# kept for callers that listed the built-in roles
ROLE_PERMISSIONS = BUILTIN_ROLES
ROLES = tuple(BUILTIN_ROLES)

# What an integrator's API key may do by default (its ``scopes`` when none are given): the
# conversation API, not workspace administration.
API_KEY_PERMISSIONS = frozenset(
    {
        Permission.CONVERSATIONS_READ,
        Permission.CONVERSATIONS_READ_ALL,
        Permission.CONVERSATIONS_REPLY,
        Permission.CONVERSATIONS_HANDOFF,
        Permission.CONVERSATIONS_ASSIGN,
        Permission.CONVERSATIONS_RESOLVE,
        Permission.CONVERSATIONS_INGEST,
    }
)

CACHE_SECONDS = 10.0


class _RoleCache:
    """Permissions of the stored roles (custom roles and an edited ``agent``) in this process."""

    def __init__(self) -> None:
        self.roles: dict[str, frozenset[Permission]] = {}
        self.loaded_at: float | None = None

    def replace(self, roles: Mapping[str, Iterable[str]]) -> None:
        self.roles = {name: parse_permissions(perms) for name, perms in roles.items()}
        self.loaded_at = time.monotonic()

    def remember(self, name: str, permissions: frozenset[Permission] | None) -> None:
        if permissions is None:
            self.roles.pop(name, None)
        else:
            self.roles[name] = permissions

    def stale(self) -> bool:
        return self.loaded_at is None or time.monotonic() - self.loaded_at > CACHE_SECONDS

    def clear(self) -> None:
        self.roles.clear()
        self.loaded_at = None


role_cache = _RoleCache()


def parse_permissions(names: Iterable[str]) -> frozenset[Permission]:
    """Known permission names only (an unknown stored name grants nothing)."""
    known = {p.value for p in Permission}
    return frozenset(Permission(n) for n in names if n in known)


def resolve_role(role: str, stored: Iterable[str] | None) -> frozenset[Permission]:
    """A role's permissions given its stored row (None when there is none)."""
    if role == ADMIN_ROLE:
        return ALL_PERMISSIONS
    if stored is not None:
        return parse_permissions(stored)
    return BUILTIN_ROLES.get(role, frozenset())


def permissions_for_role(role: str) -> frozenset[Permission]:
    """A role's permissions from the per-process cache (see the module docstring)."""
    if role == ADMIN_ROLE:
        return ALL_PERMISSIONS
    cached = role_cache.roles.get(role)
    if cached is not None:
        return cached
    return BUILTIN_ROLES.get(role, frozenset())
