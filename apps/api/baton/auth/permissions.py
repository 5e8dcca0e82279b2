"""Roles grant named permissions; handlers check permissions, never role names."""

from __future__ import annotations

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
    API_KEYS_MANAGE = "api_keys:manage"
    AI_MANAGE = "ai:manage"
    AI_REVIEW = "ai:review"
    KNOWLEDGE_MANAGE = "knowledge:manage"
    SETTINGS_MANAGE = "settings:manage"
    ANALYTICS_READ = "analytics:read"
    AUDIT_READ = "audit:read"


AGENT_PERMISSIONS = frozenset(
    {
        Permission.CONVERSATIONS_READ,
        Permission.CONVERSATIONS_REPLY,
        Permission.CONVERSATIONS_HANDOFF,
        Permission.CONVERSATIONS_RESOLVE,
        Permission.AI_REVIEW,
    }
)

ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    "admin": frozenset(Permission),
    "agent": AGENT_PERMISSIONS,
}

# What an integrator's API key may do: the conversation API, not workspace administration.
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

ROLES = tuple(ROLE_PERMISSIONS)


def permissions_for_role(role: str) -> frozenset[Permission]:
    return ROLE_PERMISSIONS.get(role, frozenset())
