"""Side effects leave only after commit: a rolled-back unit of work emits and enqueues nothing."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func, select

from baton.jobs.queues import ArqQueue
from baton.kit.uow import unit_of_work
from baton.mail.models import OutboxEmail
from baton.mail.welcome import queue_welcome
from baton.runtime import Runtime
from baton.users.models import User
from tests.factories import make_user, user_headers
from tests.realtime.clients import RecordingClient
from tests.support import LiveServer, wait_for


async def _count(runtime: Runtime, model: type) -> int:
    async with runtime.db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_failed_unit_of_work_leaves_nothing_behind(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    _, headers = await user_headers(client, runtime)
    existing = await make_user(runtime)
    listener = RecordingClient("/agent")
    await listener.connect(server.base_url, auth={"token": headers["Authorization"][7:]})
    users_before = await _count(runtime, User)
    try:
        with pytest.raises(RuntimeError):
            async with unit_of_work(runtime) as uow:
                uow.session.add(
                    User(email="ghost@example.com", name="G", password_hash="x", role="agent")
                )
                await uow.session.flush()
                uow.publish("probe", {"phase": "rolled-back"}, rooms="agents", namespace="/agent")
                uow.enqueue("mail.send", email_id=str(existing.id))
                raise RuntimeError("fails after emitting and enqueuing")

        # a committed unit of work right after proves the listener and the queue work: its
        # email job runs after any wrongly-sent one would have
        witness = await make_user(runtime)
        users_before += 1
        async with unit_of_work(runtime) as uow:
            uow.publish("probe", {"phase": "committed"}, rooms="agents", namespace="/agent")
            queue_welcome(uow, witness)
        await listener.wait_for("probe", lambda d: d["phase"] == "committed")

        async def sent() -> list[tuple[str, str]]:
            async with runtime.db.session() as session:
                rows = await session.execute(select(OutboxEmail.to_address, OutboxEmail.status))
                found = [(to, status) for to, status in rows.all()]
            return found if all(status == "sent" for _, status in found) else []

        assert await wait_for(sent, timeout=20) == [(witness.email, "sent")]
        assert listener.received["probe"] == [{"phase": "committed"}]
        assert await _count(runtime, User) == users_before
        if isinstance(runtime.jobs, ArqQueue) and runtime.jobs.pool is not None:
            queued = await runtime.jobs.pool.queued_jobs(queue_name=runtime.settings.job_queue_name)
            assert not [j for j in queued if j.kwargs.get("email_id") == str(existing.id)]
    finally:
        await listener.disconnect()


async def test_committed_request_enqueues_its_job(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    """POST /users enqueues the welcome email; it runs in ``baton worker`` (Redis) or in-process."""
    _, admin = await user_headers(client, runtime, "admin")
    created = await client.post(
        "/api/v1/users", json={"email": "new@example.com", "password": "longenough"}, headers=admin
    )
    assert created.status_code == 201

    async def delivered() -> OutboxEmail | None:
        async with runtime.db.session() as session:
            return await session.scalar(
                select(OutboxEmail).where(OutboxEmail.to_address == "new@example.com")
            )

    async def attempted() -> OutboxEmail | None:
        message = await delivered()
        done = message is not None and message.status in ("sent", "failed", "skipped")
        return message if done else None

    message = await wait_for(attempted, timeout=20)
    # sent to the suite's fake Resend, with its id
    assert message.status == "sent" and message.kind == "welcome" and message.provider_id


async def test_an_unreachable_queue_after_commit_is_not_an_error(
    client: httpx.AsyncClient, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Redis away after the commit: the user exists, so the answer is 201 (a retry would get
    409), and the welcome email waits in the outbox for the sweep."""
    _, admin = await user_headers(client, runtime, "admin")

    async def down(*args: object, **kwargs: object) -> None:
        raise ConnectionError("redis is down")

    monkeypatch.setattr(runtime.jobs, "enqueue", down)
    created = await client.post(
        "/api/v1/users",
        json={"email": "during-outage@example.com", "password": "longenough"},
        headers=admin,
    )
    assert created.status_code == 201, created.text
    async with runtime.db.session() as session:
        [status] = await session.scalars(
            select(OutboxEmail.status).where(OutboxEmail.to_address == "during-outage@example.com")
        )
    assert status == "queued"
