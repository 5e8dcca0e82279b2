"""Savepoints that behave the same on SQLite as on PostgreSQL.

On SQLite a ``SAVEPOINT`` outside a transaction opens a *deferred* one: the reads inside it
pin a snapshot, and the first write then has to upgrade it to a write lock. If another
connection committed in between, SQLite cannot upgrade and answers "database is locked" at
once, without waiting out ``busy_timeout``. Taking the write lock before the savepoint
(``BEGIN IMMEDIATE``, which does wait) keeps the snapshot and the write in one piece.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, AsyncSessionTransaction


async def hold_write_lock(session: AsyncSession) -> None:
    """On SQLite, make the session's transaction a write transaction now (no-op elsewhere)."""
    connection = await session.connection()
    if connection.dialect.name != "sqlite":
        return
    raw = await connection.get_raw_connection()
    driver = raw.driver_connection  # aiosqlite.Connection
    if driver is not None and not driver.in_transaction:
        await connection.execute(text("BEGIN IMMEDIATE"))


@asynccontextmanager
async def savepoint(session: AsyncSession) -> AsyncIterator[AsyncSessionTransaction]:
    """``session.begin_nested()`` that is safe to open before the transaction's first write."""
    await hold_write_lock(session)
    async with session.begin_nested() as nested:
        yield nested
