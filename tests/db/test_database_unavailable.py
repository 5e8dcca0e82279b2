"""A locked or unreachable database answers a clear 503 ``database_unavailable`` with
``Retry-After`` within the configured timeout, not a hang or a 500; unrelated requests keep
answering; ``/health`` stays a liveness check and ``/health/ready`` reports the database."""

from __future__ import annotations

import asyncio
import dataclasses
import sqlite3
import time
import uuid
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
from sqlalchemy import exc as sa_exc

from baton.db.engine import ConnectFailed
from baton.db.errors import unavailable_reason
from baton.settings import Settings
from tests.factories import user_headers
from tests.support import LiveServer, start_live_server, uses_postgres

LOCK_MS = 700


@pytest.fixture
async def impatient(settings: Settings, server: LiveServer) -> AsyncIterator[LiveServer]:
    """A second api on the suite's database whose waits for a lock are short."""
    live = await start_live_server(
        dataclasses.replace(
            settings,
            db_lock_timeout_ms=LOCK_MS,
            db_busy_timeout_ms=LOCK_MS,
            db_statement_timeout_ms=20_000,
            redis_namespace=f"{settings.redis_namespace}-{uuid.uuid4().hex[:6]}",
        )
    )
    yield live
    await live.stop()


def _assert_unavailable(response: httpx.Response, started: float) -> None:
    assert response.status_code == 503, response.text
    body = response.json()
    assert body["error"] == "database_unavailable" and body["detail"]
    assert int(response.headers["Retry-After"]) > 0
    # the lock timeout (plus the request's own work), far from the lock's 60 s
    assert time.monotonic() - started < 15


@pytest.mark.skipif(not uses_postgres(), reason="PostgreSQL's lock_timeout (PostgreSQL run)")
async def test_a_locked_table_answers_503_while_the_rest_answers(impatient: LiveServer) -> None:
    async with httpx.AsyncClient(base_url=impatient.base_url, timeout=30) as http:
        _, headers = await user_headers(http, impatient.runtime, role="admin")
        assert (await http.get("/api/v1/analytics/messages", headers=headers)).status_code == 200
        dsn = impatient.settings.database_url.replace("postgresql+asyncpg://", "postgresql://")
        holder = await asyncpg.connect(dsn)
        try:
            tx = holder.transaction()
            await tx.start()
            await holder.execute("LOCK TABLE messages IN ACCESS EXCLUSIVE MODE")
            started = time.monotonic()
            locked, me, ready = await asyncio.gather(
                http.get("/api/v1/analytics/messages", headers=headers),
                http.get("/api/v1/me", headers=headers),
                http.get("/health/ready"),
            )
            _assert_unavailable(locked, started)
            assert me.status_code == 200, me.text
            assert ready.status_code == 200 and ready.json()["database"] == "ok"
            # many at once: each fails on its own lock timeout, the pool is not exhausted
            many = await asyncio.gather(
                *(http.get("/api/v1/analytics/messages", headers=headers) for _ in range(12))
            )
            assert {r.status_code for r in many} == {503}
            assert (await http.get("/api/v1/me", headers=headers)).status_code == 200
            await tx.rollback()
        finally:
            await holder.close()
        after = await http.get("/api/v1/analytics/messages", headers=headers)
        assert after.status_code == 200, after.text


@pytest.mark.skipif(uses_postgres(), reason="SQLite's write lock (embedded run)")
async def test_a_held_sqlite_write_lock_answers_503(impatient: LiveServer) -> None:
    path = impatient.settings.database_url.split(":///", 1)[1]
    async with httpx.AsyncClient(base_url=impatient.base_url, timeout=30) as http:
        user, headers = await user_headers(http, impatient.runtime, role="agent")
        holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        try:
            holder.execute("BEGIN IMMEDIATE")
            started = time.monotonic()
            write = await http.patch("/api/v1/me", json={"name": "Renamed"}, headers=headers)
            _assert_unavailable(write, started)
            me = await http.get("/api/v1/me", headers=headers)
            assert me.status_code == 200 and me.json()["name"] != "Renamed", me.text
            live = await http.get("/health")
            assert live.status_code == 200
            ready = await http.get("/health/ready")
            assert ready.status_code == 503 and ready.json()["database"].startswith("error")
            assert int(ready.headers["Retry-After"]) > 0
            holder.execute("ROLLBACK")
        finally:
            holder.close()
        assert (await http.get("/health/ready")).status_code == 200
        again = await http.patch("/api/v1/me", json={"name": "Renamed"}, headers=headers)
        assert again.status_code == 200, again.text
        assert (await http.get("/api/v1/me", headers=headers)).json()["name"] == "Renamed"


def test_which_errors_mean_unavailable() -> None:
    class Orig(Exception):
        def __init__(self, message: str, sqlstate: str | None = None) -> None:
            super().__init__(message)
            self.sqlstate = sqlstate

    def wrapped(message: str, sqlstate: str | None = None) -> sa_exc.DBAPIError:
        return sa_exc.OperationalError("SELECT 1", {}, Orig(message, sqlstate))

    assert unavailable_reason(sa_exc.TimeoutError("QueuePool limit reached"))
    assert unavailable_reason(wrapped("canceling statement due to lock timeout", "55P03"))
    assert unavailable_reason(wrapped("canceling statement due to statement timeout", "57014"))
    assert unavailable_reason(wrapped("the database system is shutting down", "57P01"))
    assert unavailable_reason(wrapped("database is locked"))
    assert (
        unavailable_reason(sa_exc.IntegrityError("INSERT", {}, Orig("duplicate key", "23505")))
        is None
    )
    assert unavailable_reason(wrapped("syntax error", "42601")) is None
    assert unavailable_reason(ValueError("database is locked")) is None
    # a refused connection: asyncpg raises a plain OSError, baton.db.engine makes it a DBAPI one
    refused = ConnectionRefusedError(111, "Connect call failed")
    connect_failed = ConnectFailed(f"could not connect: {refused!r}", refused)  # type: ignore[no-untyped-call]
    assert unavailable_reason(sa_exc.OperationalError(None, None, connect_failed)) == (
        "the database cannot be reached"
    )
    assert unavailable_reason(refused) is None  # an OSError from elsewhere is not the database
