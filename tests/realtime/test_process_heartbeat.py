"""Fault: an api process is killed (SIGKILL) while an online agent has the inbox open on it.
Its heartbeat stops, so within seconds the agent no longer counts as online (and a new visitor
is not promised a person); on the old code the agent counted for up to 60 s."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from baton.conversations.assignment import online_agents
from baton.kit.uow import unit_of_work
from baton.runtime import Runtime
from baton.settings import Settings
from tests.factories import login, make_user
from tests.realtime.clients import RecordingClient
from tests.support import (
    LiveServer,
    Subprocess,
    free_port,
    settings_env,
    uses_postgres,
    wait_for,
    wait_http,
)

pytestmark = pytest.mark.skipif(
    not uses_postgres(), reason="heartbeats live in Redis (PostgreSQL + Redis run)"
)

HEARTBEAT = 2


@pytest.fixture
async def other_api(
    settings: Settings, data_dir: Path, server: LiveServer
) -> AsyncIterator[tuple[str, Subprocess]]:
    env = {**settings_env(settings), "BATON_PROCESS_HEARTBEAT_SECONDS": str(HEARTBEAT)}
    port = free_port()
    proc = Subprocess(["serve", "--port", str(port)], env, data_dir / "heartbeat-api.log")
    url = f"http://127.0.0.1:{port}"
    try:
        await wait_http(f"{url}/health")
    except AssertionError:
        raise AssertionError(proc.output()) from None
    yield url, proc
    proc.stop()


async def _online_ids(runtime: Runtime) -> set[str]:
    async with unit_of_work(runtime) as uow:
        return {str(u.id) for u in await online_agents(uow)}


async def test_a_killed_process_stops_counting_its_agents_within_seconds(
    runtime: Runtime, other_api: tuple[str, Subprocess]
) -> None:
    url, proc = other_api
    user = await make_user(runtime, role="agent", presence="online")
    async with httpx.AsyncClient(base_url=url, timeout=20) as http:
        token = await login(http, user.email)
    agent = RecordingClient("/agent")
    await agent.connect(url, auth={"token": token})
    try:

        async def counted() -> bool:
            return str(user.id) in await _online_ids(runtime)

        await wait_for(counted, timeout=10)
        proc.kill()
        killed_at = time.monotonic()

        async def forgotten() -> bool:
            return str(user.id) not in await _online_ids(runtime)

        await wait_for(forgotten, timeout=HEARTBEAT * 5, interval=0.2)
        assert time.monotonic() - killed_at < HEARTBEAT * 5
    finally:
        await agent.disconnect()
