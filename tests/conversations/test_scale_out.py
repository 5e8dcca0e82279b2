"""Two api processes against one Redis and one database behave as one."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from baton.settings import Settings
from tests.conversations.helpers import visitor
from tests.factories import login, make_user
from tests.realtime.clients import RecordingClient
from tests.support import LiveServer, Subprocess, free_port, settings_env, uses_postgres, wait_http

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not uses_postgres(), reason="scale-out needs Redis (runs in the PostgreSQL+Redis pass)"
    ),
]


@pytest.fixture(scope="module")
async def two_apis(
    settings: Settings, data_dir: Path, server: LiveServer
) -> AsyncIterator[list[str]]:
    procs, urls = [], []
    for i in range(2):
        port = free_port()
        procs.append(
            Subprocess(
                ["serve", "--port", str(port)], settings_env(settings), data_dir / f"api{i}.log"
            )
        )
        urls.append(f"http://127.0.0.1:{port}")
    try:
        await asyncio.gather(*(wait_http(f"{u}/health") for u in urls))
    except AssertionError:
        raise AssertionError("\n".join(p.output() for p in procs)) from None
    yield urls
    for p in procs:
        p.stop()


async def test_visitor_and_agent_on_different_processes(
    two_apis: list[str], server: LiveServer
) -> None:
    a, b = two_apis
    user = await make_user(server.runtime, name="Dana", presence="online")
    async with httpx.AsyncClient(base_url=b) as http:
        token = await login(http, user.email)
    dana = RecordingClient("/agent")
    await dana.connect(b, auth={"token": token})
    v, start = await visitor(a)
    cid = start["conversation_id"]
    try:
        await v.call("request_agent", {})
        await dana.wait_for(
            "conversation_updated", lambda d: d["conversation"]["status"] == "waiting"
        )
        await dana.call("join_session", {"conversation_id": cid})
        taken = await dana.call("take_over", {"conversation_id": cid})
        assert taken["conversation"]["status"] == "agent"
        await v.wait_for("system_message", lambda d: d["text"] == "Dana joined the conversation")

        await v.call("user_message", {"client_id": "x1", "text": "from process A"})
        got = await dana.wait_for(
            "message_created", lambda d: d["message"]["text"] == "from process A"
        )
        assert got["message"]["sender"] == "visitor"
        await dana.call(
            "agent_message", {"conversation_id": cid, "client_id": "y1", "text": "from process B"}
        )
        assert (await v.wait_for("agent_message"))["text"] == "from process B"

        await v.call("typing_start", {})
        assert (await dana.wait_for("display_typing"))["sender"] == "visitor"
        await dana.call("typing_start", {"conversation_id": cid})
        assert (await v.wait_for("display_typing"))["name"] == "Dana"
    finally:
        await v.disconnect()
        await dana.disconnect()
