"""Fault: PostgreSQL is restarted (``pg_ctl stop -m fast``, then started again) under a running
api process, mid-conversation. The server is a private one (tests/private_postgres.py), never
the system cluster the rest of the suite uses.

What must hold, and what it catches:
- during the outage every request answers at once ``503 database_unavailable`` with
  ``Retry-After`` (REST) or an ack ``{error: "database_unavailable"}`` (Socket.IO), never a
  500 or a hang; on the old code a refused connection (a plain ``ConnectionRefusedError``
  from asyncpg, which SQLAlchemy passes on unwrapped) was a 500 ``internal_error``;
- ``/health/ready`` says 503 while it is down and 200 once it is back; ``/health`` stays 200;
- the pool recovers in the same api process: a quiet restart (no request while it was down)
  leaves every pooled connection dead, and the first requests after it must all succeed
  (pool pre-ping; without it each of them gets a dead connection and fails);
- nothing acked before is lost: a question whose AI reply was streaming when the database went
  away is answered once it is back (the reply's lease is released, not marked done, and the
  sweep resumes it; on the old code it stayed unanswered); a message refused during the outage
  is stored once when the client sends it again; a visitor message after the restart is stored
  and answered.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from baton.conversations.models import Message
from baton.db import Database
from baton.db.migrate import upgrade
from baton.settings import Settings, normalise_database_url
from baton.users.service import create_user
from tests.ai.fakes import FakeLLM, Script
from tests.ai.helpers import add_provider
from tests.factories import DEFAULT_PASSWORD, bearer, login
from tests.private_postgres import INITDB, PrivatePostgres
from tests.realtime.clients import RecordingClient
from tests.support import Subprocess, free_port, settings_env, uses_postgres, wait_for, wait_http

pytestmark = [
    pytest.mark.skipif(not uses_postgres(), reason="a PostgreSQL restart (PostgreSQL run)"),
    pytest.mark.skipif(INITDB is None, reason="initdb is not installed (Debian: postgresql)"),
]

POOL_TIMEOUT = 3  # seconds a request may wait for a connection
WARM = 12  # concurrent requests: more connections than one would need
OUTAGE_ANSWER_SECONDS = 5.0  # a refused connection answers at once; this is the bound
LEASE = 2  # seconds: how soon the sweep resumes an AI reply cut off by the outage


@dataclasses.dataclass
class Stack:
    pg: PrivatePostgres
    db: Database  # the test's own view of the private database (the truth)
    api: Subprocess
    base_url: str


@pytest.fixture
async def stack(settings: Settings, tmp_path: Path) -> AsyncIterator[Stack]:
    pg = PrivatePostgres()
    api: Subprocess | None = None
    db: Database | None = None
    try:
        await pg.start()
        url = normalise_database_url(await pg.create_database("baton"))
        await asyncio.to_thread(upgrade, url)
        db = Database.for_scripts(url)
        private = dataclasses.replace(
            settings,
            database_url=url,
            redis_url=None,  # in-process realtime and jobs: the fault here is the database
            data_dir=tmp_path / "data",
        )
        env = {
            **settings_env(private),
            "BATON_DB_POOL_TIMEOUT_SECONDS": str(POOL_TIMEOUT),
            "BATON_AI_REPLY_LEASE_SECONDS": str(LEASE),
        }
        port = free_port()
        api = Subprocess(["serve", "--port", str(port)], env, tmp_path / "api.log")
        base_url = f"http://127.0.0.1:{port}"
        await wait_http(f"{base_url}/health/ready")
        yield Stack(pg, db, api, base_url)
    except BaseException:
        if api is not None:
            print(api.output())
        print(pg.log_tail())
        raise
    finally:
        if api is not None:
            api.stop()
        if db is not None:
            await db.dispose()
        await pg.destroy()


async def _admin_headers(stack: Stack, http: httpx.AsyncClient) -> dict[str, str]:
    email = f"admin-{uuid.uuid4().hex[:8]}@example.com"
    async with stack.db.session() as session:
        await create_user(session, email=email, password=DEFAULT_PASSWORD, role="admin")
        await session.commit()
    return bearer(await login(http, email))


async def _stored(stack: Stack, conversation_id: str) -> list[tuple[str, str | None]]:
    async with stack.db.session() as session:
        rows = await session.execute(
            select(Message.sender, Message.client_id)
            .where(Message.conversation_id == uuid.UUID(conversation_id))
            .order_by(Message.created_at, Message.id)
        )
        return [(sender, client_id) for sender, client_id in rows.all()]


def _assert_unavailable(response: httpx.Response, started: float) -> None:
    assert response.status_code == 503, response.text
    body = response.json()
    assert body["error"] == "database_unavailable" and body["detail"], body
    assert int(response.headers["Retry-After"]) > 0
    assert time.monotonic() - started < OUTAGE_ANSWER_SECONDS


async def _all_ok(http: httpx.AsyncClient, headers: dict[str, str]) -> list[int]:
    responses = await asyncio.gather(
        *(http.get("/api/v1/conversations", headers=headers) for _ in range(WARM))
    )
    return [r.status_code for r in responses]


async def _bot_answers(visitor: RecordingClient, count: int) -> None:
    async def arrived() -> bool:
        return len(visitor.received.get("bot_message", [])) >= count

    await wait_for(arrived, timeout=20)


async def test_a_postgresql_restart_mid_conversation(stack: Stack) -> None:
    fake = await FakeLLM(key="sk-restart-000").start()
    visitor = RecordingClient("/widget")
    async with httpx.AsyncClient(base_url=stack.base_url, timeout=20) as http:
        try:
            headers = await _admin_headers(stack, http)
            await add_provider(
                http,
                headers,
                kind="openai",
                name="fake",
                model="m",
                base_url=f"{fake.base_url}/v1",
                api_key=fake.key,
            )
            await visitor.connect(stack.base_url)
            start = await visitor.call("start_session", {})
            assert "error" not in start, start
            conversation_id = start["conversation_id"]
            acked: list[str] = []
            for i in range(2):
                ack = await visitor.call(
                    "user_message", {"client_id": f"before-{i}", "text": f"Question {i}?"}
                )
                assert "id" in ack, ack
                acked.append(ack["id"])
                await _bot_answers(visitor, i + 1)
            assert await _all_ok(http, headers) == [200] * WARM  # the pool holds many now
            pid = stack.api.proc.pid

            # 1. a quiet restart: every pooled connection is dead, nobody noticed yet
            await stack.pg.stop_fast()
            await stack.pg.start()
            assert await _all_ok(http, headers) == [200] * WARM, stack.api.output()

            # 2. an outage with traffic, while the AI is streaming an answer
            fake.script = Script(tokens=[f" word{i}" for i in range(12)], delay=0.4)
            visitor.received.pop("bot_stream", None)
            inflight = await visitor.call(
                "user_message", {"client_id": "inflight", "text": "Tell me a long story"}
            )
            assert "id" in inflight, inflight
            acked.append(inflight["id"])
            await visitor.wait_for("bot_stream", timeout=15)
            await stack.pg.stop_fast()
            started = time.monotonic()
            _assert_unavailable(await http.get("/api/v1/conversations", headers=headers), started)
            started = time.monotonic()
            _assert_unavailable(
                await http.get(
                    f"/api/v1/conversations/{conversation_id}/messages", headers=headers
                ),
                started,
            )
            started = time.monotonic()
            _assert_unavailable(
                await http.post("/api/v1/auth/login", json={"email": "a@b.c", "password": "x"}),
                started,
            )
            codes = await _all_ok(http, headers)  # many at once: none hangs, none is a 500
            assert set(codes) == {503}, codes
            ready = await http.get("/health/ready")
            assert ready.status_code == 503 and ready.json()["database"].startswith("error")
            assert int(ready.headers["Retry-After"]) > 0
            live = await http.get("/health")
            assert live.status_code == 200 and live.json()["database"].startswith("error")
            started = time.monotonic()
            refused = await visitor.call(
                "user_message", {"client_id": "during", "text": "Are you there?"}
            )
            assert refused["error"] == "database_unavailable", refused
            assert refused["retry_after"] > 0
            assert time.monotonic() - started < OUTAGE_ANSWER_SECONDS
            newcomer = RecordingClient("/widget")
            await newcomer.connect(stack.base_url)
            try:
                fresh = await newcomer.call("start_session", {})
                assert fresh["error"] == "database_unavailable", fresh
            finally:
                await newcomer.disconnect()

            async def reply_failed() -> bool:  # the streamed answer could not be stored
                return "AI reply failed" in stack.api.log_path.read_text(errors="replace")

            await wait_for(reply_failed, timeout=20)
            # the half-streamed answer is withdrawn (nothing was stored)
            await visitor.wait_for("bot_stream_cancelled", timeout=10)
            fake.script = Script()
            await stack.pg.start()

            async def ready_again() -> bool:
                return (await http.get("/health/ready")).status_code == 200

            await wait_for(ready_again, timeout=15, interval=0.2)
            assert await _all_ok(http, headers) == [200] * WARM
            # the same process and the same granian worker (none respawned): its own pool
            assert stack.api.proc.poll() is None and stack.api.proc.pid == pid
            log = stack.api.log_path.read_text(errors="replace")
            assert log.count("Spawning worker") == 1, log[-3000:]

            await _bot_answers(visitor, 3)  # the cut-off question, answered by the sweep
            # the widget resends what was refused (same client_id), then asks again
            resent = await visitor.call(
                "user_message", {"client_id": "during", "text": "Are you there?"}
            )
            assert "id" in resent and not resent["duplicate"], resent
            await _bot_answers(visitor, 4)
            after = await visitor.call("user_message", {"client_id": "after", "text": "And now?"})
            assert "id" in after, after
            await _bot_answers(visitor, 5)
        finally:
            await visitor.disconnect()
            await fake.stop()

        stored = await _stored(stack, conversation_id)
        visitor_ids = [c for s, c in stored if s == "visitor"]
        assert visitor_ids == ["before-0", "before-1", "inflight", "during", "after"], stored
        senders = [s for s, _ in stored if s != "system"]
        assert senders == ["visitor", "bot"] * 5, stored  # each question answered once
        page = await http.get(f"/api/v1/conversations/{conversation_id}/messages", headers=headers)
        assert page.status_code == 200
        listed = {m["id"] for m in page.json()["items"]}
        assert set(acked) | {resent["id"], after["id"]} <= listed
