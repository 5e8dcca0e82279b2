"""The same Baton app under each server `baton serve` offers: REST and real Socket.IO round trips.

The three servers are started in parallel as real ``baton serve --server X`` processes
against the test's database (and Redis on the PostgreSQL pass).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from baton.runtime import Runtime
from baton.serving import SERVERS
from baton.settings import Settings
from tests.factories import user_headers
from tests.realtime.clients import RecordingClient
from tests.support import LiveServer, Subprocess, free_port, settings_env, wait_http


@pytest.fixture(scope="module")
async def served(settings: Settings, data_dir: Path) -> AsyncIterator[dict[str, str]]:
    """One child process per server, started together; name -> base URL."""
    procs: dict[str, tuple[Subprocess, str]] = {}
    env = settings_env(settings)
    try:
        for name in SERVERS:
            port = free_port()
            proc = Subprocess(
                ["serve", "--server", name, "--host", "127.0.0.1", "--port", str(port)],
                env,
                data_dir / f"serve-{name}.log",
            )
            procs[name] = (proc, f"http://127.0.0.1:{port}")

        async def up(name: str) -> None:
            proc, url = procs[name]
            try:
                await wait_http(f"{url}/health", timeout=60)
            except AssertionError:
                raise AssertionError(f"{name} did not start:\n{proc.output()}") from None

        await asyncio.gather(*(up(name) for name in procs))
        yield {name: url for name, (_, url) in procs.items()}
    finally:
        for proc, _ in procs.values():
            proc.stop()


@pytest.mark.parametrize("name", SERVERS)
async def test_rest_and_realtime_round_trip(
    name: str,
    served: dict[str, str],
    server: LiveServer,
    client: httpx.AsyncClient,
    runtime: Runtime,
) -> None:
    base = served[name]
    user, headers = await user_headers(client, runtime, name=f"Agent on {name}")
    async with httpx.AsyncClient(base_url=base, timeout=20) as http:
        # REST: an authenticated call, with a query string (socketify mangles it unpatched)
        me = await http.get("/api/v1/me?probe=1", headers=headers)
        assert me.status_code == 200, me.text
        assert me.json()["email"] == user.email
        assert me.headers["x-request-id"]

        agent = RecordingClient("/agent")
        await agent.connect(base, auth={"token": headers["Authorization"][7:]})
        try:
            # the server emits agent_presence to the agents room once the change commits
            changed = await http.patch("/api/v1/me", json={"presence": "online"}, headers=headers)
            assert changed.status_code == 200, changed.text
            event = await agent.wait_for(
                "agent_presence", lambda d: d["user_id"] == str(user.id), timeout=10
            )
            assert event == {"user_id": str(user.id), "presence": "online"}

            # a visitor on /widget: start a session, send a message; the agent sees it
            visitor = RecordingClient("/widget")
            await visitor.connect(base)
            try:
                started = await visitor.call("start_session", {"visitor": {"name": name}})
                assert "error" not in started, started
                conversation_id = started["conversation_id"]
                sent = await visitor.call(
                    "user_message", {"client_id": f"probe-{name}", "text": f"hello {name}"}
                )
                assert "error" not in sent, sent
                updated = await agent.wait_for(
                    "conversation_updated",
                    lambda d: (
                        d["conversation"]["id"] == conversation_id
                        and (d["conversation"]["last_message"] or {}).get("text") == f"hello {name}"
                    ),
                    timeout=10,
                )
                assert updated["conversation"]["visitor"]["name"] == name
            finally:
                await visitor.disconnect()
        finally:
            await agent.disconnect()


async def test_agent_namespace_refuses_bad_token_under_each_server(
    served: dict[str, str],
) -> None:
    import socketio

    for name, base in served.items():
        agent = RecordingClient("/agent")
        with pytest.raises(socketio.exceptions.ConnectionError):
            await agent.connect(base, auth={"token": "garbage"})
        await agent.disconnect()
        assert name in SERVERS
