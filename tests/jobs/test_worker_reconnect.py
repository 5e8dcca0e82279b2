"""Fault: Redis restarted under a real ``baton worker``. The worker notices, keeps running and
reconnects; a job enqueued after Redis is back runs (arq's result in the restarted Redis) and
its email leaves. On the old code the worker's process exited at the first Redis error."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from arq.connections import ArqRedis, create_pool
from arq.jobs import Job

from baton.jobs.queues import arq_redis_settings
from baton.mail import outbox
from baton.mail.models import OutboxEmail
from baton.runtime import Runtime
from baton.settings import Settings
from tests.mail.fake_resend import FakeResend
from tests.private_redis import REDIS_SERVER, PrivateRedis
from tests.support import Subprocess, settings_env, uses_postgres, wait_for
from tests.tickets.helpers import delivered_to

pytestmark = [
    pytest.mark.skipif(not uses_postgres(), reason="a real arq worker (PostgreSQL + Redis run)"),
    pytest.mark.skipif(REDIS_SERVER is None, reason="redis-server is not installed"),
]


OUTCOMES = {"sent", "not_due", "skipped_claim"}


@pytest.fixture
async def private_redis(tmp_path: Path) -> AsyncIterator[PrivateRedis]:
    redis = await PrivateRedis(tmp_path).start()
    yield redis
    await redis.stop()


async def _queued_email(runtime: Runtime, address: str) -> uuid.UUID:
    async with runtime.db.session() as session:
        row = OutboxEmail(
            id=uuid.uuid4(),
            kind="test",
            to_address=address,
            subject="Hello",
            body_text="After the outage",
            headers={},
        )
        session.add(row)
        await session.commit()
        return row.id


async def _run_on_worker(
    pool: ArqRedis, settings: Settings, email_id: uuid.UUID, worker: Subprocess
) -> object:
    job = await pool.enqueue_job(
        outbox.SEND_JOB, _queue_name=settings.job_queue_name, email_id=str(email_id)
    )
    assert isinstance(job, Job)
    # the row's status afterwards: "sent", or (if the suite's own worker's sweep was quicker)
    # "not_due"; either way it ran on this worker. Bounded generously: a loaded machine
    # takes a while to start a worker process.
    try:
        return await job.result(timeout=90, poll_delay=0.1)
    except TimeoutError:
        raise AssertionError(
            f"the job did not run; worker alive: {worker.proc.poll() is None}\n{worker.output()}"
        ) from None


async def test_the_worker_survives_a_redis_restart(
    settings: Settings,
    runtime: Runtime,
    resend_fake: FakeResend,
    private_redis: PrivateRedis,
    tmp_path: Path,
) -> None:
    mine = dataclasses.replace(
        settings,
        redis_url=private_redis.url,
        redis_namespace=f"{settings.redis_namespace}-w{uuid.uuid4().hex[:6]}",
    )
    worker = Subprocess(["worker"], settings_env(mine), tmp_path / "worker.log")
    pool = await create_pool(arq_redis_settings(private_redis.url))
    try:
        first = await _queued_email(runtime, "before@example.com")
        assert await _run_on_worker(pool, mine, first, worker) in OUTCOMES, worker.output()
        await delivered_to(resend_fake, "before@example.com", 1)

        await private_redis.stop()

        async def noticed() -> bool:
            return "redis unavailable" in worker.output() or worker.proc.poll() is not None

        await wait_for(noticed, timeout=20, interval=0.1)
        assert worker.proc.poll() is None, f"the worker exited:\n{worker.output()}"

        await private_redis.start()
        await pool.aclose()
        pool = await create_pool(arq_redis_settings(private_redis.url))
        second = await _queued_email(runtime, "after@example.com")
        assert await _run_on_worker(pool, mine, second, worker) in OUTCOMES, worker.output()
        assert len(await delivered_to(resend_fake, "after@example.com", 1)) == 1
        assert worker.proc.poll() is None
    finally:
        await pool.aclose()
        worker.stop()


def test_a_job_finishing_while_the_pool_is_dropped_is_a_redis_error() -> None:
    # arq's run_job writes the result through ``worker.pool``; with the pool dropped for a
    # reconnect that was None, the AttributeError ended the main loop and the worker exited
    from redis.exceptions import RedisError

    from baton_worker.main import ReconnectingWorker

    worker = ReconnectingWorker.__new__(ReconnectingWorker)
    worker._pool = None
    with pytest.raises(RedisError):
        _ = worker.pool
