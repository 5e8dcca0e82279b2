"""The demo order backend that ``baton demo`` seeds (idempotent: one demo integration)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from baton.tools.demo import DEMO_NAME, initial_state
from baton.tools.models import ToolIntegration


async def seed(session: AsyncSession) -> None:
    found = await session.scalar(select(ToolIntegration).where(ToolIntegration.kind == "demo"))
    if found is None:
        session.add(
            ToolIntegration(
                kind="demo",
                name=DEMO_NAME,
                enabled=True,
                timeout_seconds=10.0,
                tools=[],
                state=initial_state(),
            )
        )
        await session.flush()
