"""Keyset (cursor) pagination: ``{items, next_cursor}`` that stays correct while rows change.

The cursor is the sort key of the last row returned, opaque to clients (base64 JSON).
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, literal, or_, tuple_
from sqlalchemy.orm import InstrumentedAttribute

from baton.kit.errors import ValidationFailed

MAX_LIMIT = 200


def _to_json(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"t": value.isoformat()}
    if isinstance(value, uuid.UUID):
        return {"u": str(value)}
    return value


def _from_json(value: Any) -> Any:
    if isinstance(value, dict):
        if "t" in value:
            return datetime.fromisoformat(value["t"])
        if "u" in value:
            return uuid.UUID(value["u"])
    return value


def encode_cursor(values: Sequence[Any]) -> str:
    raw = json.dumps([_to_json(v) for v in values], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, arity: int) -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = [_from_json(v) for v in json.loads(raw)]
    except (ValueError, TypeError) as exc:
        raise ValidationFailed("invalid cursor", code="invalid_cursor") from exc
    if not isinstance(values, list) or len(values) != arity:
        raise ValidationFailed("invalid cursor", code="invalid_cursor")
    return values


def check_limit(limit: int) -> int:
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationFailed(f"limit must be between 1 and {MAX_LIMIT}", code="invalid_limit")
    return limit


def keyset(
    stmt: Select[Any],
    keys: Sequence[InstrumentedAttribute[Any]],
    *,
    descending: bool | Sequence[bool],
    cursor: str | None,
    limit: int,
) -> Select[Any]:
    """Order ``stmt`` by ``keys``, start after ``cursor`` and fetch one extra row.
    ``descending`` is one direction for every key, or one per key (e.g. priority first,
    then the oldest)."""
    directions = [descending] * len(keys) if isinstance(descending, bool) else list(descending)
    if len(directions) != len(keys):
        raise ValueError("one direction per key")
    if cursor:
        values = decode_cursor(cursor, len(keys))
        bound = [literal(v, type_=k.type) for k, v in zip(keys, values, strict=True)]
        if len(set(directions)) == 1:
            left, right = tuple_(*keys), tuple_(*bound)
            stmt = stmt.where(left < right if directions[0] else left > right)
        else:  # mixed directions: (a after x) or (a = x and b after y) or ...
            clauses = []
            for i, (key, value, desc) in enumerate(zip(keys, bound, directions, strict=True)):
                equal = [k == v for k, v in zip(keys[:i], bound[:i], strict=True)]
                clauses.append(and_(*equal, key < value if desc else key > value))
            stmt = stmt.where(or_(*clauses))
    order = [k.desc() if d else k.asc() for k, d in zip(keys, directions, strict=True)]
    return stmt.order_by(*order).limit(limit + 1)


def page_cursor(rows: Sequence[Any], limit: int, key_of: Any) -> tuple[list[Any], str | None]:
    """Trim the extra row and compute the next cursor from the last kept row."""
    items = list(rows[:limit])
    next_cursor = encode_cursor(key_of(items[-1])) if len(rows) > limit and items else None
    return items, next_cursor
