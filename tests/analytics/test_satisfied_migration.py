"""Migration 0106 fills the satisfied count of rollup rows made before it, from the stored
``csat_given`` facts, so "percent satisfied" is right without a rebuild."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from baton import catalog
from baton.analytics.facts import CSAT_GIVEN
from baton.analytics.models import AnalyticsDaily, AnalyticsHourly, ReportingEvent
from baton.conversations.models import Conversation
from baton.db.engine import Database
from baton.db.migrate import downgrade, upgrade
from baton.settings import Settings
from baton.visitors.models import Visitor
from tests.support import (
    create_postgres_database,
    drop_postgres_database,
    keyring_of,
    uses_postgres,
)

DAY = datetime(2026, 11, 2, tzinfo=UTC)
NINE, TEN = DAY.replace(hour=9), DAY.replace(hour=10)


def _rollup(model: Any, bucket: datetime, agent: uuid.UUID | None, responses: int) -> Any:
    return model(
        bucket_start=bucket,
        channel="widget",
        agent_id=agent,
        csat_responses=responses,
        csat_satisfied=0,  # as a row rolled up before the column existed
        csat_sum=0.0,
        first_response_hist={},
        resolution_hist={},
    )


async def _old_style_rows(url: str) -> uuid.UUID:
    """Rollups as they were before 0106 (no csat_satisfied), and the CSAT facts behind them."""
    agent = uuid.uuid4()
    db = Database.for_scripts(url)
    try:
        async with db.session() as session:
            visitor = Visitor(id=uuid.uuid4(), name="V", created_at=DAY, updated_at=DAY)
            session.add(visitor)
            await session.flush()
            conversation = Conversation(
                id=uuid.uuid4(),
                visitor_id=visitor.id,
                status="resolved",
                created_at=DAY,
                updated_at=DAY,
            )
            session.add(conversation)
            await session.flush()
            for at, rating, who in (
                (NINE.replace(minute=10), 5.0, agent),
                (NINE.replace(minute=20), 3.0, None),  # not satisfied
                (TEN.replace(minute=5), 4.0, None),
            ):
                session.add(
                    ReportingEvent(
                        kind=CSAT_GIVEN,
                        conversation_id=conversation.id,
                        agent_id=who,
                        channel="widget",
                        at=at,
                        value=rating,
                    )
                )
            session.add_all(
                [
                    _rollup(AnalyticsHourly, NINE, None, 2),
                    _rollup(AnalyticsHourly, NINE, agent, 1),
                    _rollup(AnalyticsHourly, TEN, None, 1),
                    _rollup(AnalyticsDaily, DAY, None, 3),
                    _rollup(AnalyticsDaily, DAY, agent, 1),
                ]
            )
            await session.commit()
    finally:
        await db.dispose()
    return agent


async def _check_backfill(url: str, suite: Settings) -> None:
    catalog.import_models()
    await asyncio.to_thread(upgrade, url)
    async with keyring_of(dataclasses.replace(suite, database_url=url), suite):
        agent = await _old_style_rows(url)
    await asyncio.to_thread(downgrade, url, "0105_vision")  # the one before 0106
    await asyncio.to_thread(upgrade, url)

    db = Database.for_scripts(url)
    try:
        async with db.session() as session:
            found: dict[tuple[str, object, object], int] = {}
            for model in (AnalyticsHourly, AnalyticsDaily):
                rows: list[Any] = list(await session.scalars(select(model)))
                for r in rows:
                    found[(model.__tablename__, r.bucket_start, r.agent_id)] = r.csat_satisfied
    finally:
        await db.dispose()
    assert found == {
        ("analytics_hourly", NINE, None): 1,
        ("analytics_hourly", NINE, agent): 1,
        ("analytics_hourly", TEN, None): 1,
        ("analytics_daily", DAY, None): 2,
        ("analytics_daily", DAY, agent): 1,
    }


async def test_sqlite_backfill(tmp_path: Path, settings: Settings) -> None:
    await _check_backfill(f"sqlite+aiosqlite:///{tmp_path / 'backfill.db'}", settings)


@pytest.mark.skipif(not uses_postgres(), reason="PostgreSQL run only")
async def test_postgres_backfill(settings: Settings) -> None:
    name = f"baton_mig_{uuid.uuid4().hex[:8]}"
    url = (await create_postgres_database(name)).replace("postgresql://", "postgresql+asyncpg://")
    try:
        await _check_backfill(url, settings)
    finally:
        await drop_postgres_database(name)
