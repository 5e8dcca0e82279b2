"""Alembic environment: one history for PostgreSQL and SQLite, run through the async engine."""

from __future__ import annotations

import asyncio
from typing import Any

from alembic import context
from sqlalchemy.engine import Connection

from baton import catalog
from baton.db.base import Base
from baton.db.engine import Database
from baton.settings import get_settings

catalog.import_models()
target_metadata = Base.metadata
config = context.config


def _url() -> str:
    return config.attributes.get("url") or get_settings().database_url


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters by copying tables
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async(url: str) -> None:
    db = Database.for_scripts(url)
    sqlite = url.startswith("sqlite")
    async with db.engine.connect() as conn:
        if sqlite:
            # SQLite alters a table by copying it and dropping the old one; with foreign keys
            # on, that DROP cascades (a new unique column on visitors deleted every
            # conversation). Off for the migration (it must be set outside a transaction),
            # and the references are checked once it is done.
            await conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        await conn.run_sync(_configure)
        await conn.commit()
        if sqlite:
            broken = (await conn.exec_driver_sql("PRAGMA foreign_key_check")).all()
            await conn.rollback()
            if broken:
                raise RuntimeError(f"the migration left rows pointing nowhere: {broken[:5]}")
    await db.dispose()


def run_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection: Any = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
    else:
        asyncio.run(_run_async(_url()))


if context.is_offline_mode():
    run_offline()
else:
    run_online()
