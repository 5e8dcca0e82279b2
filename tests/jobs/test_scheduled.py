"""The session-expiry sweep runs on its own schedule: in ``baton worker`` (arq) with Redis,
in the api's in-process runner without. Both run it at start-up, which is what we observe."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, update

from baton.db.base import utcnow
from baton.jobs.queues import InProcessQueue
from baton.runtime import build_runtime
from baton.settings import Settings
from baton.visitors.models import VisitorSession
from tests.conversations.helpers import visitor
from tests.support import LiveServer, Subprocess, settings_env, wait_for


async def test_expiry_sweep_runs_on_schedule(
    server: LiveServer, settings: Settings, data_dir: Path
) -> None:
    v, start = await visitor(server.base_url)
    await v.call("user_message", {"client_id": "1", "text": "hello?"})
    await v.disconnect()
    runtime = server.runtime

    async def disconnected() -> bool:  # the server records the disconnect (and its time) first
        async with runtime.db.session() as session:
            row = await session.scalar(select(VisitorSession))
            return row is not None and row.connected == 0

    await wait_for(disconnected)
    async with runtime.db.session() as session:
        await session.execute(
            update(VisitorSession).values(
                last_seen_at=utcnow() - timedelta(minutes=settings.session_idle_minutes + 1)
            )
        )
        await session.commit()

    async def ended() -> bool:
        async with runtime.db.session() as session:
            row = await session.scalar(select(VisitorSession))
            return row is not None and row.end_reason == "expired"

    if settings.redis_url:
        worker = Subprocess(["worker"], settings_env(settings), data_dir / "cron-worker.log")
        try:
            await wait_for(ended, timeout=30)
        except AssertionError:
            raise AssertionError(worker.output()) from None
        finally:
            worker.stop()
    else:
        other = build_runtime(settings, sio=server.runtime.sio, run_jobs_in_process=True)
        assert isinstance(other.jobs, InProcessQueue)
        await other.start()
        try:
            await wait_for(ended, timeout=10)
        finally:
            await other.stop()
