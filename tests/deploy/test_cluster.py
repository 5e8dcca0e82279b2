"""scripts/cluster: two api processes, the worker and nginx; a conversation crosses processes.

The visitor is pinned to one api process and the agent to the other (through the proxy's
``baton_node`` cookie), so every event between them travels through Redis.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from baton.runtime import Runtime
from baton.settings import PROJECT_ROOT, Settings
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.realtime.clients import RecordingClient
from tests.support import (
    LiveServer,
    free_port,
    settings_env,
    uses_postgres,
    wait_for,
    wait_http,
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not uses_postgres(),
        reason="the cluster needs PostgreSQL and Redis (runs in the BATON_TEST_BACKEND=postgres pass)",
    ),
]

CLUSTER = PROJECT_ROOT / "scripts" / "cluster"


def run_cluster(args: list[str], env: dict[str, str], timeout: float = 90) -> str:
    done = subprocess.run(
        [str(CLUSTER), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=PROJECT_ROOT,
    )
    assert done.returncode == 0, f"scripts/cluster {args} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


@pytest.fixture
async def cluster(settings: Settings, tmp_path: Path) -> AsyncIterator[dict[str, Any]]:
    proxy_port = free_port()
    env = settings_env(settings)
    env.update(
        BATON_REDIS_NAMESPACE=f"{settings.redis_namespace}cl",
        BATON_CLUSTER_PORT=str(proxy_port),
        BATON_CLUSTER_API_PORTS=f"{free_port()},{free_port()}",
    )
    directory = tmp_path / "cluster"
    try:
        await asyncio.to_thread(run_cluster, ["--dir", str(directory), "up"], env)
        state = json.loads((directory / "cluster.json").read_text())
        yield state
    finally:
        out = await asyncio.to_thread(run_cluster, ["--dir", str(directory), "down"], env)
        assert "had to kill" not in out, out  # every process stopped on SIGTERM/SIGQUIT
    for name, pid in {**state["pids"], "supervisor": state["supervisor_pid"]}.items():
        assert not alive(pid), f"{name} (pid {pid}) still running after down"
    assert not (directory / "cluster.json").exists()


def pinned(node: str) -> dict[str, str]:
    return {"Cookie": f"baton_node={node}"}


async def connect(client: RecordingClient, url: str, node: str, auth: Any = None) -> None:
    await client.sio.connect(
        url,
        namespaces=[client.namespace],
        transports=["websocket"],
        auth=auth,
        headers=pinned(node),
        wait_timeout=10,
    )


async def test_conversation_through_the_proxy_across_two_processes(
    cluster: dict[str, Any], server: LiveServer, runtime: Runtime
) -> None:
    proxy = cluster["proxy_url"]
    assert set(cluster["pids"]) == {"api1", "api2", "worker", "nginx"}
    async with httpx.AsyncClient(base_url=proxy, timeout=20) as http:
        # the proxy balances plain requests over both processes and honours the pin
        seen = {(await http.get("/health")).headers["x-baton-node"] for _ in range(4)}
        assert seen == {"api1", "api2"}
        for node in ("api1", "api2"):
            probe = await http.get("/socket.io/?EIO=4&transport=polling", headers=pinned(node))
            assert probe.headers["x-baton-node"] == node
            assert f"baton_node={node}" in probe.headers["set-cookie"]

        agent_user = await make_user(runtime, role="agent", name="Dana", presence="online")
        login = await http.post(
            "/api/v1/auth/login", json={"email": agent_user.email, "password": DEFAULT_PASSWORD}
        )
        assert login.status_code == 200, login.text
        token = login.json()["access_token"]

    agent = RecordingClient("/agent")
    visitor = RecordingClient("/widget")
    try:
        await connect(agent, proxy, "api1", auth={"token": token})
        await connect(visitor, proxy, "api2")
        started = await visitor.call("start_session", {"visitor": {"name": "Vic"}})
        assert "error" not in started, started
        conversation_id = started["conversation_id"]

        # visitor (api2) -> agents room on api1, through Redis
        sent = await visitor.call("user_message", {"client_id": uuid.uuid4().hex, "text": "help"})
        assert "error" not in sent, sent
        await agent.wait_for(
            "conversation_updated",
            lambda d: d["conversation"]["id"] == conversation_id,
            timeout=15,
        )
        joined = await agent.call("join_session", {"conversation_id": conversation_id})
        assert "error" not in joined, joined
        assert "help" in [m["text"] for m in joined["messages"]]
        took = await agent.call("take_over", {"conversation_id": conversation_id})
        assert "error" not in took, took

        # agent (api1) -> visitor (api2)
        reply = await agent.call(
            "agent_message",
            {"conversation_id": conversation_id, "client_id": uuid.uuid4().hex, "text": "hi Vic"},
        )
        assert "error" not in reply, reply
        got = await visitor.wait_for("agent_message", lambda d: d["id"] == reply["id"], timeout=15)
        assert got["text"] == "hi Vic"

        # visitor (api2) -> the agent who joined the conversation (api1)
        again = await visitor.call(
            "user_message", {"client_id": uuid.uuid4().hex, "text": "thanks"}
        )
        created = await agent.wait_for(
            "message_created", lambda d: d["message"]["id"] == again["id"], timeout=15
        )
        assert created["message"]["text"] == "thanks"
        assert created["message"]["sender"] == "visitor"
    finally:
        await agent.disconnect()
        await visitor.disconnect()


async def test_the_cluster_restarts_a_process_that_exits(cluster: dict[str, Any]) -> None:
    """Fault: the worker and an api process are killed (SIGKILL); the supervisor started by
    ``scripts/cluster up`` brings each back with a new pid, and the api answers again."""
    directory = Path(cluster["dir"])
    assert cluster["supervisor_pid"] and alive(cluster["supervisor_pid"])
    killed = {name: cluster["pids"][name] for name in ("worker", "api1")}
    for pid in killed.values():
        os.killpg(pid, signal.SIGKILL)

    async def restarted() -> dict[str, Any] | None:
        state: dict[str, Any] = json.loads((directory / "cluster.json").read_text())
        fresh = {name: state["pids"][name] for name in killed}
        if all(fresh[n] != killed[n] and alive(fresh[n]) for n in killed):
            return state
        return None

    state = await wait_for(restarted, timeout=30, interval=0.2)
    assert state["restarts"] == {"worker": 1, "api1": 1}
    api1 = state["api_urls"][0]
    await wait_http(f"{api1}/health", timeout=60)
    async with httpx.AsyncClient(timeout=10) as http:
        assert (await http.get(f"{api1}/health")).status_code == 200
    assert alive(state["pids"]["worker"])
    cluster["pids"] = state["pids"]  # the fixture checks that `down` stopped these
