from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import msgspec

from baton.audit.models import AuditEntry


class AuditActor(msgspec.Struct):
    kind: str  # user | api_key | system
    id: uuid.UUID | None
    name: str


class AuditEntryOut(msgspec.Struct):
    id: uuid.UUID
    at: datetime
    actor: AuditActor
    action: str
    target_type: str
    target_id: str | None
    changes: dict[str, Any]

    @classmethod
    def of(cls, e: AuditEntry) -> AuditEntryOut:
        return cls(
            id=e.id,
            at=e.at,
            actor=AuditActor(e.actor_kind, e.actor_id, e.actor_name),
            action=e.action,
            target_type=e.target_type,
            target_id=e.target_id,
            changes=dict(e.changes or {}),
        )


class AuditPage(msgspec.Struct):
    items: list[AuditEntryOut]
    next_cursor: str | None
