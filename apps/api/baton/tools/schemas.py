"""Request and response shapes of actions and tool integrations."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import msgspec

from baton.tools.models import ToolAction, ToolIntegration


class Actor(msgspec.Struct):
    id: uuid.UUID | None
    name: str | None


class ActionOut(msgspec.Struct):
    id: uuid.UUID
    conversation_id: uuid.UUID
    tool: str
    source: str
    policy: str
    arguments: dict[str, Any]
    status: str  # proposed | approved | rejected | done | failed
    result: dict[str, Any] | None
    error: str | None
    decided_by: Actor | None
    decided_at: datetime | None
    finished_at: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, a: ToolAction) -> ActionOut:
        decided = Actor(a.decided_by_id, a.decided_by_name) if a.decided_at is not None else None
        return cls(
            a.id,
            a.conversation_id,
            a.tool,
            a.source,
            a.policy,
            dict(a.arguments or {}),
            a.status,
            a.result,
            a.error,
            decided,
            a.decided_at,
            a.finished_at,
            a.created_at,
        )


class ActionPage(msgspec.Struct):
    items: list[ActionOut]
    next_cursor: str | None = None


class ToolOut(msgspec.Struct):
    name: str
    description: str
    parameters: dict[str, Any]
    policy: str
    source: str


class ToolPage(msgspec.Struct):
    items: list[ToolOut]
    next_cursor: str | None = None


class DeclaredTool(msgspec.Struct, forbid_unknown_fields=True):
    name: str
    parameters: dict[str, Any]
    policy: str = "approval"  # auto | approval
    description: str = ""


class IntegrationIn(msgspec.Struct, forbid_unknown_fields=True):
    name: str
    url: str
    tools: list[DeclaredTool]
    timeout_seconds: float = 10.0
    enabled: bool = True
    # write-only: the signing secret your backend already has (16-200 characters); without
    # one Baton generates it and shows it once, in the answer
    secret: str | None = None


class IntegrationPatch(msgspec.Struct, forbid_unknown_fields=True):
    name: str | msgspec.UnsetType = msgspec.UNSET
    url: str | msgspec.UnsetType = msgspec.UNSET
    tools: list[DeclaredTool] | msgspec.UnsetType = msgspec.UNSET
    timeout_seconds: float | msgspec.UnsetType = msgspec.UNSET
    enabled: bool | msgspec.UnsetType = msgspec.UNSET
    secret: str | msgspec.UnsetType = msgspec.UNSET  # write-only: replaces the signing secret


class IntegrationOut(msgspec.Struct):
    id: uuid.UUID
    kind: str
    name: str
    enabled: bool
    url: str | None
    timeout_seconds: float
    tools: list[dict[str, Any]]
    created_at: datetime
    updated_at: datetime
    secret: str | None = None  # only in the answer to POST when Baton made it: shown once
    has_secret: bool = False  # the secret itself is never shown again

    @classmethod
    def of(cls, row: ToolIntegration, secret: str | None = None) -> IntegrationOut:
        return cls(
            row.id,
            row.kind,
            row.name,
            row.enabled,
            row.url,
            row.timeout_seconds,
            list(row.tools or []),
            row.created_at,
            row.updated_at,
            secret,
            row.secret_sealed is not None,
        )


class IntegrationPage(msgspec.Struct):
    items: list[IntegrationOut]
    next_cursor: str | None = None


class IntegrationErrorOut(msgspec.Struct):
    """A call of one of the integration's tools that failed (newest first)."""

    action_id: uuid.UUID
    conversation_id: uuid.UUID
    tool: str
    error: str
    at: datetime


class IntegrationErrorPage(msgspec.Struct):
    items: list[IntegrationErrorOut]
    next_cursor: str | None = None


class IntegrationTestIn(msgspec.Struct, forbid_unknown_fields=True):
    tool: str
    arguments: dict[str, Any] = msgspec.field(default_factory=dict)


class IntegrationTestOut(msgspec.Struct):
    ok: bool
    tool: str
    result: dict[str, Any] | None
    error: str | None
    duration_ms: int
