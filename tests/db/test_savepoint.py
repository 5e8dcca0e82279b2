"""A savepoint opened before a transaction's first write must not fail on SQLite when
another connection commits while it reads (the lost batch message behind a flaky test)."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from baton.db.engine import Database
from baton.db.savepoint import savepoint


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'sp.db'}")
    async with database.engine.begin() as conn:
        await conn.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))
    yield database
    await database.engine.dispose()


async def _write_lock_is_free(db: Database) -> bool:
    """Whether another connection could start writing right now (asks without waiting)."""
    async with db.engine.connect() as probe:
        await probe.exec_driver_sql("PRAGMA busy_timeout=0")
        try:
            await probe.exec_driver_sql("BEGIN IMMEDIATE")
        except (OperationalError, sqlite3.OperationalError):
            return False
        else:
            await probe.exec_driver_sql("ROLLBACK")
            return True
        finally:  # the connection goes back to the pool
            await probe.exec_driver_sql("PRAGMA busy_timeout=10000")


async def test_reads_in_a_savepoint_hold_the_write_lock_so_the_write_cannot_be_refused(
    db: Database,
) -> None:
    # with a deferred savepoint another connection commits between our read and our write,
    # and SQLite then refuses the write at once ("database is locked")
    assert await _write_lock_is_free(db)
    async with db.session() as session:
        async with savepoint(session):
            await session.execute(text("SELECT count(*) FROM notes"))
            assert not await _write_lock_is_free(db)
            other = asyncio.create_task(_insert(db, "other"))  # waits for our commit
            await session.execute(text("INSERT INTO notes (body) VALUES ('mine')"))
        await session.commit()
    await other
    async with db.session() as session:
        bodies = sorted((await session.scalars(text("SELECT body FROM notes"))).all())
    assert bodies == ["mine", "other"]


async def _insert(db: Database, body: str) -> None:
    async with db.session() as other:
        await other.execute(text("INSERT INTO notes (body) VALUES (:b)"), {"b": body})
        await other.commit()


async def test_savepoint_still_rolls_back_alone(db: Database) -> None:
    async with db.session() as session:
        await session.execute(text("INSERT INTO notes (body) VALUES ('kept')"))
        with pytest.raises(RuntimeError):
            async with savepoint(session):
                await session.execute(text("INSERT INTO notes (body) VALUES ('undone')"))
                raise RuntimeError("refused")
        await session.commit()
    async with db.session() as session:
        assert (await session.scalars(text("SELECT body FROM notes"))).all() == ["kept"]
