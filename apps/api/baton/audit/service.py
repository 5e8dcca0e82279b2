"""Recording and reading audit entries. Services flush, never commit: the unit of work does.

``record_audit`` is called by every administrative change, in the change's own unit of work.
Secrets are never recorded: fields named like one are replaced by ``"[redacted]"`` (or
``"[set]"``/``None`` for whether one is present), whatever the caller passes.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from baton.audit.models import AuditEntry
from baton.auth.principal import Principal
from baton.db.base import utcnow
from baton.kit.pagination import keyset, page_cursor

SECRET_FIELDS = frozenset(
    {
        "password",
        "current_password",
        "password_hash",
        "api_key",
        "api_key_sealed",
        "key",
        "key_hash",
        "secret",
        "token",
        "access_token",
        "identity_secret",
    }
)
REDACTED = "[redacted]"
SYSTEM_NAME = "Baton"


def _clean(value: Any) -> Any:
    return msgspec.to_builtins(value, str_keys=True)


def _redact(changes: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in changes.items():
        if key in SECRET_FIELDS:
            if isinstance(value, Mapping) and set(value) <= {"before", "after"}:
                out[key] = {k: (None if v is None else REDACTED) for k, v in value.items()}
            else:
                out[key] = None if value is None else REDACTED
        elif isinstance(value, Mapping):
            out[key] = _redact(value)
        else:
            out[key] = _clean(value)
    return out


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """``{field: {"before": old, "after": new}}`` for the fields whose value changed."""
    changed: dict[str, Any] = {}
    for key in sorted(set(before) | set(after)):
        old, new = _clean(before.get(key)), _clean(after.get(key))
        if old != new:
            changed[key] = {"before": old, "after": new}
    return changed


def record_audit(
    uow: Any,
    actor: Principal | None,
    action: str,
    target_type: str,
    target_id: object | None,
    changes: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Add one entry to the unit of work's session (flushed and committed with the change).

    ``actor`` None means the system (a command line, a job)."""
    session: AsyncSession = uow.session if hasattr(uow, "session") else uow
    entry = AuditEntry(
        at=utcnow(),
        actor_kind=actor.kind if actor is not None else "system",
        actor_id=actor.id if actor is not None else None,
        actor_name=(actor.own_name if actor is not None else SYSTEM_NAME)[:120],
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id)[:64],
        changes=_redact(changes or {}),
    )
    session.add(entry)
    return entry


async def list_entries(
    session: AsyncSession,
    *,
    action: str | None,
    actor_id: uuid.UUID | None,
    target_type: str | None,
    target_id: str | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[AuditEntry], str | None]:
    stmt = select(AuditEntry)
    if action is not None:
        if action.endswith(".*"):  # a whole domain: ``users.*``
            stmt = stmt.where(AuditEntry.action.startswith(action[:-1], autoescape=True))
        else:
            stmt = stmt.where(AuditEntry.action == action)
    if actor_id is not None:
        stmt = stmt.where(AuditEntry.actor_id == actor_id)
    if target_type is not None:
        stmt = stmt.where(AuditEntry.target_type == target_type)
    if target_id is not None:
        stmt = stmt.where(AuditEntry.target_id == target_id)
    stmt = keyset(stmt, [AuditEntry.id], descending=True, cursor=cursor, limit=limit)
    rows = list((await session.scalars(stmt)).all())
    return page_cursor(rows, limit, lambda r: [r.id])
