"""The async engine and session factory for either PostgreSQL (asyncpg) or SQLite (aiosqlite)."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from sqlalchemy import event, exc, text
from sqlalchemy.dialects.postgresql.asyncpg import AsyncAdapt_asyncpg_dbapi
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import NullPool


def _sqlite_pragmas(busy_timeout_ms: int) -> Any:
    def apply(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        # a write waits this long for another connection's write lock, then "database is
        # locked" (answered as 503 database_unavailable, baton.db.errors)
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.close()

    return apply


def private_sqlite_file(path: Path) -> None:
    """The database file (and so its -wal and -shm, which SQLite creates with the main
    file's mode) readable by its owner only: it holds every conversation."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    for candidate in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if candidate.exists() and candidate.stat().st_mode & 0o077:
            candidate.chmod(0o600)


class ConnectFailed(AsyncAdapt_asyncpg_dbapi.OperationalError):  # type: ignore[misc,name-defined]
    """A new PostgreSQL connection could not be made (refused, reset, timed out, or the server
    timed out: a server that is stopped, restarting or out of reach). asyncpg raises these as
    plain ``OSError`` / ``TimeoutError``, which SQLAlchemy passes on unwrapped (it translates
    only asyncpg's own errors, such as "the database system is starting up"); raised as the
    driver's DBAPI ``OperationalError`` they arrive as ``sqlalchemy.exc.OperationalError`` like
    every other database failure, and ``baton.db.errors`` answers 503 for them instead of 500."""


def _asyncpg_connect(connect_timeout: float) -> Callable[..., Awaitable[Any]]:
    async def connect(*args: Any, **kwargs: Any) -> Any:
        import asyncpg

        kwargs.setdefault("timeout", connect_timeout)
        try:
            return await asyncpg.connect(*args, **kwargs)
        except (OSError, TimeoutError) as exc:
            message = f"could not connect to PostgreSQL: {exc!r}"
            raise ConnectFailed(message, exc) from exc  # type: ignore[no-untyped-call]

    return connect


# A pooled connection idle for longer than this is pinged at checkout (the pool's
# pre-ping); one back in use sooner is only checked for a socket the server has closed.
PING_AFTER_IDLE_SECONDS = 1.0


def _ping_when_idle(engine: AsyncEngine) -> None:
    """The pool's pre-ping, a round trip, only where it can tell something new.

    A ping costs ~360 µs of wall time and ~210 µs of CPU per unit of work on this machine,
    and a busy process reuses its connections within milliseconds. At checkout a connection
    whose socket the server closed (a restart, a failover, a terminated backend: asyncpg
    sees the end of the stream while the connection sits in the pool) is discarded without
    a round trip; one idle longer than ``PING_AFTER_IDLE_SECONDS`` is also pinged, for the
    peer that vanished without closing. Either way the pool connects afresh: SQLAlchemy
    retries a checkout whose listener raises ``DisconnectionError``."""
    pool = engine.sync_engine.pool
    dialect = engine.sync_engine.dialect

    @event.listens_for(pool, "checkin")
    def checked_in(_dbapi_connection: Any, record: Any) -> None:
        if record is not None:
            record.info["checked_in_at"] = time.monotonic()

    @event.listens_for(pool, "checkout")
    def checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        last = record.info.get("checked_in_at")
        if last is None:
            return  # connected just now
        if record.driver_connection.is_closed():  # asyncpg's own connection
            raise exc.DisconnectionError("the server closed this pooled connection")
        if time.monotonic() - last < PING_AFTER_IDLE_SECONDS:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except Exception as error:
            raise exc.DisconnectionError(f"stale pooled connection: {error!r}") from error


def _sqlite_write_probe(path: str, timeout: float) -> None:
    """Take and release SQLite's write lock on a connection of its own (nothing written)."""
    conn = sqlite3.connect(path, timeout=timeout, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
    finally:
        conn.close()


class Database:
    """Owns the engine; sessions never expire on commit so objects stay readable after it.

    Timeouts (0 = none): on PostgreSQL every connection gets ``statement_timeout`` and
    ``lock_timeout`` (asyncpg ``server_settings``), so a query behind a held lock fails after
    ``lock_timeout_ms`` instead of hanging; on SQLite a write waits ``busy_timeout_ms`` for the
    write lock; a pooled checkout waits ``pool_timeout_seconds``. Scripts (migrations) use
    :meth:`for_scripts`, which sets none of them.
    """

    def __init__(
        self,
        url: str,
        *,
        echo: bool = False,
        pool_size: int = 10,
        pooled: bool = True,
        statement_timeout_ms: int = 0,
        lock_timeout_ms: int = 0,
        busy_timeout_ms: int = 10_000,
        pool_timeout_seconds: float = 30.0,
    ) -> None:
        self.url = url
        kwargs: dict[str, Any] = {"echo": echo}
        if url.startswith("sqlite"):
            path = url.split(":///", 1)[-1]
            if path and path != ":memory:":
                private_sqlite_file(Path(path.split("?", 1)[0]))
            # the driver's own busy handler waits as long as the pragma below
            kwargs["connect_args"] = {"timeout": busy_timeout_ms / 1000}
        else:
            # dates computed in SQL (analytics by day) are UTC days whatever the server's zone
            server_settings = {"timezone": "UTC"}
            if statement_timeout_ms:
                server_settings["statement_timeout"] = str(int(statement_timeout_ms))
            if lock_timeout_ms:
                server_settings["lock_timeout"] = str(int(lock_timeout_ms))
            kwargs["connect_args"] = {
                "server_settings": server_settings,
                # a server that is down refuses at once; one that does not answer at all
                # (a network partition) fails as fast as a busy pool does
                "async_creator_fn": _asyncpg_connect(min(10.0, pool_timeout_seconds)),
            }
            if pooled:
                kwargs.update(
                    pool_size=pool_size,
                    max_overflow=pool_size * 2,
                    pool_timeout=pool_timeout_seconds,
                )
        if not pooled:
            kwargs["poolclass"] = NullPool
        self.engine: AsyncEngine = create_async_engine(url, **kwargs)
        if pooled and not url.startswith("sqlite"):
            _ping_when_idle(self.engine)
        if url.startswith("sqlite"):
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas(busy_timeout_ms))
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False)

    @classmethod
    def for_scripts(cls, url: str) -> Database:
        """A pool-less engine for short-lived commands (CLI, migrations)."""
        return cls(url, pooled=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def session(self) -> AsyncSession:
        return self.sessionmaker()

    async def ping(self) -> bool:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        return True

    async def ready(self, timeout: float = 2.0) -> None:
        """Raise unless the database can answer now: a pooled connection and ``SELECT 1``
        within ``timeout``; on SQLite also the write lock (a held write transaction makes
        every write wait, so a read alone would say "ok" while writes fail)."""
        async with asyncio.timeout(timeout):
            await self.ping()
        if self.dialect == "sqlite":
            path = self.url.split(":///", 1)[-1].split("?", 1)[0]
            if path and path != ":memory:":
                await asyncio.to_thread(_sqlite_write_probe, path, timeout)

    async def dispose(self) -> None:
        await self.engine.dispose()
