"""Migrations upgrade an empty database to head on both backends and match the models."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from baton import catalog
from baton.db.base import Base
from baton.db.engine import Database
from baton.db.migrate import downgrade, upgrade
from tests.support import create_postgres_database, drop_postgres_database, uses_postgres


async def _assert_at_head_and_matching(url: str) -> None:
    catalog.import_models()
    db = Database.for_scripts(url)
    try:
        async with db.engine.connect() as conn:
            tables = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
            diff = await conn.run_sync(
                lambda c: compare_metadata(MigrationContext.configure(c), Base.metadata)
            )
    finally:
        await db.dispose()
    assert set(Base.metadata.tables) <= tables
    assert diff == [], f"models and migrations disagree: {diff}"


async def test_sqlite_upgrades_from_empty_and_back(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"
    await asyncio.to_thread(upgrade, url)
    await _assert_at_head_and_matching(url)
    await asyncio.to_thread(downgrade, url, "base")
    await asyncio.to_thread(upgrade, url)
    await _assert_at_head_and_matching(url)


@pytest.mark.skipif(not uses_postgres(), reason="PostgreSQL run only")
async def test_postgres_upgrades_from_empty_and_back() -> None:
    name = f"baton_mig_{uuid.uuid4().hex[:8]}"
    url = (await create_postgres_database(name)).replace("postgresql://", "postgresql+asyncpg://")
    try:
        await asyncio.to_thread(upgrade, url)
        await _assert_at_head_and_matching(url)
        await asyncio.to_thread(downgrade, url, "base")
        await asyncio.to_thread(upgrade, url)
        await _assert_at_head_and_matching(url)
    finally:
        await drop_postgres_database(name)


def test_one_head() -> None:
    """A second branch would make `baton db upgrade` ambiguous: merge it before it lands."""
    from alembic.script import ScriptDirectory

    from baton.db.migrate import alembic_config

    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    assert len(heads) == 1, f"more than one Alembic head: {heads}"
