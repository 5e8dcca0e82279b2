"""The pool's checkout on PostgreSQL: a connection in use a moment ago is not pinged (a round
trip per unit of work), a stale one is, and one whose server side has gone is replaced
without an error either way (a restart's effect, on one connection: its backend terminated).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import text

from baton.db import Database, engine
from baton.settings import Settings
from tests.support import uses_postgres, wait_for

pytestmark = pytest.mark.skipif(not uses_postgres(), reason="asyncpg's pool (PostgreSQL run)")


@pytest.fixture
async def database(settings: Settings) -> AsyncIterator[Database]:
    db = Database(settings.database_url, pool_size=1)
    yield db
    await db.dispose()


@pytest.fixture
def pings(database: Database, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every ping the pool makes, recorded (and passed on to the dialect)."""
    dialect = database.engine.sync_engine.dialect
    made: list[Any] = []
    real = dialect.do_ping

    def counting(dbapi_connection: Any) -> bool:
        made.append(dbapi_connection)
        return bool(real(dbapi_connection))

    monkeypatch.setattr(dialect, "do_ping", counting)
    return made


async def _backend(db: Database) -> int:
    async with db.session() as session:
        return int(await session.scalar(text("SELECT pg_backend_pid()")) or 0)


async def _driver_connection(db: Database) -> Any:
    async with db.engine.connect() as conn:
        raw = await conn.get_raw_connection()
        return raw.driver_connection


async def test_a_connection_back_in_use_at_once_is_not_pinged(
    database: Database, pings: list[Any]
) -> None:
    first = await _backend(database)
    for _ in range(5):
        assert await _backend(database) == first
    assert pings == []


async def test_an_idle_connection_is_pinged_at_checkout(
    database: Database, pings: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = await _backend(database)
    monkeypatch.setattr(engine, "PING_AFTER_IDLE_SECONDS", 0.0)
    assert await _backend(database) == first
    assert len(pings) == 1


async def test_a_failed_ping_gets_a_fresh_connection(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = await _backend(database)
    monkeypatch.setattr(engine, "PING_AFTER_IDLE_SECONDS", 0.0)

    calls: list[int] = []

    def dead_once(dbapi_connection: Any) -> bool:
        calls.append(1)
        if len(calls) == 1:
            raise ConnectionResetError("the peer is gone")
        return True

    monkeypatch.setattr(database.engine.sync_engine.dialect, "do_ping", dead_once)
    second = await _backend(database)
    assert second != first
    assert calls == [1]  # the fresh connection is new: not pinged


async def test_a_connection_the_server_closed_is_replaced_without_a_ping(
    database: Database, pings: list[Any], settings: Settings
) -> None:
    first = await _backend(database)
    pooled = await _driver_connection(database)
    other = Database(settings.database_url, pooled=False)
    try:
        async with other.session() as session:
            await session.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
    finally:
        await other.dispose()

    async def noticed() -> bool:
        return bool(pooled.is_closed())

    await wait_for(noticed, timeout=10)
    assert await _backend(database) != first
    assert pings == []
