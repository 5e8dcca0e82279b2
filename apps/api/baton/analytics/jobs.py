"""Analytics jobs: the incremental rollup every five minutes, and rebuilds on demand."""

from __future__ import annotations

from datetime import date
from typing import Any

from baton.analytics import rollups
from baton.jobs import cron_job, job
from baton.kit.uow import UnitOfWork


@cron_job("analytics.rollup", every_minutes=5, second=40, run_at_startup=True)
async def rollup(uow: UnitOfWork) -> dict[str, Any]:
    """Derive the facts recorded since the last run and refresh the touched days' rollups."""
    result = await rollups.run_incremental(uow.session, lock=rollups.process_lock(uow))
    return result.as_dict()


@job("analytics.rebuild", max_tries=1, timeout_seconds=3600)
async def rebuild(uow: UnitOfWork, *, start: str, end: str) -> dict[str, Any]:
    """Recompute facts and rollups for UTC days ``start``..``end`` (ISO dates, inclusive)."""
    result = await rollups.rebuild(
        uow.session,
        date.fromisoformat(start),
        date.fromisoformat(end),
        lock=rollups.process_lock(uow),
    )
    return result.as_dict()
