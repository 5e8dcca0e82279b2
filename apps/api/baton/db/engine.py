"""The async engine and session factory for either PostgreSQL (asyncpg) or SQLite (aiosqlite)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import NullPool


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def private_sqlite_file(path: Path) -> None:
    """The database file (and so its -wal and -shm, which SQLite creates with the main
    file's mode) readable by its owner only: it holds every conversation."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    for candidate in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if candidate.exists() and candidate.stat().st_mode & 0o077:
            candidate.chmod(0o600)


class Database:
    """Owns the engine; sessions never expire on commit so objects stay readable after it."""

    def __init__(
        self, url: str, *, echo: bool = False, pool_size: int = 10, pooled: bool = True
    ) -> None:
        self.url = url
        kwargs: dict[str, Any] = {"echo": echo}
        if url.startswith("sqlite"):
            path = url.split(":///", 1)[-1]
            if path and path != ":memory:":
                private_sqlite_file(Path(path.split("?", 1)[0]))
            kwargs["connect_args"] = {"timeout": 30}
        else:
            # dates computed in SQL (analytics by day) are UTC days whatever the server's zone
            kwargs["connect_args"] = {"server_settings": {"timezone": "UTC"}}
            if pooled:
                kwargs.update(pool_size=pool_size, max_overflow=pool_size * 2, pool_pre_ping=True)
        if not pooled:
            kwargs["poolclass"] = NullPool
        self.engine: AsyncEngine = create_async_engine(url, **kwargs)
        if url.startswith("sqlite"):
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
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

    async def dispose(self) -> None:
        await self.engine.dispose()
