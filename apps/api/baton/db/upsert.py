"""``INSERT … ON CONFLICT DO NOTHING`` on both backends (the one dialect switch lives here)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from baton.db.base import Base


async def insert_unless_exists(
    session: AsyncSession, model: type[Base], values: dict[str, Any]
) -> bool:
    """Insert a row unless it would violate a unique constraint; True if it was inserted.

    On PostgreSQL a concurrent insert of the same key makes this wait for that transaction and
    then do nothing, so callers can read the winner's row instead of failing.
    """
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    result = await session.execute(insert(model).values(**values).on_conflict_do_nothing())
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]
