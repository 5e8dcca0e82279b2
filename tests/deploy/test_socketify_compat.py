"""baton.socketify_compat: each socketify 0.0.31 ASGI defect, and its correction."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import websockets

from baton.settings import PROJECT_ROOT
from baton.socketify_compat import CompatApp, Lifespan, fix_scope, plain_create_task
from tests.support import free_port, wait_http


def test_fix_scope_http() -> None:
    raw = {
        "type": "http",
        "method": "GET",
        "path": "/files/a%20b",
        "raw_path": b"/files/a%20b",
        "query_string": b"?x=1&y=2",
        "client": ("10.0.0.1", None),
    }
    fixed = fix_scope(raw)
    assert fixed["query_string"] == b"x=1&y=2"
    assert fixed["path"] == "/files/a b"
    assert fixed["raw_path"] == b"/files/a%20b"
    assert fixed["client"] == ("10.0.0.1", 0)
    assert fixed["method"] == "GET"
    assert raw["query_string"] == b"?x=1&y=2"  # the original is not mutated


def test_fix_scope_websocket_drops_method_and_keeps_clean_values() -> None:
    fixed = fix_scope(
        {
            "type": "websocket",
            "method": "GET",
            "path": "/socket.io/",
            "raw_path": b"/socket.io/",
            "query_string": b"EIO=4&transport=websocket",
            "client": ("127.0.0.1", 5000),
        }
    )
    assert "method" not in fixed
    assert fixed["query_string"] == b"EIO=4&transport=websocket"
    assert fixed["client"] == ("127.0.0.1", 5000)
    assert fix_scope({"type": "lifespan"}) == {"type": "lifespan"}


async def test_compat_app_converts_memoryview_bodies() -> None:
    sent: list[dict[str, Any]] = []

    async def inner(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.body", "body": memoryview(b"abc")})

    async def send(message: Any) -> None:
        sent.append(message)

    async def receive() -> Any:
        return {}

    await CompatApp(inner)({"type": "http", "query_string": b""}, receive, send)
    assert sent == [{"type": "http.response.body", "body": b"abc"}]


async def test_plain_create_task_is_a_real_task() -> None:
    async def which() -> Any:
        return asyncio.current_task()

    done: list[Any] = []
    task = plain_create_task(asyncio.get_running_loop(), which(), done.append)
    assert type(task) is asyncio.Task
    assert await task is task
    await asyncio.sleep(0)
    assert done == [task]


async def test_lifespan_runs_startup_and_shutdown() -> None:
    seen: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        assert scope["type"] == "lifespan"
        while True:
            message = await receive()
            seen.append(message["type"])
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            else:
                await send({"type": "lifespan.shutdown.complete"})
                return

    lifespan = Lifespan(app)
    await lifespan.startup()
    await lifespan.shutdown()
    assert seen == ["lifespan.startup", "lifespan.shutdown"]


def spawn_probe(tmp_path: Path, port: int) -> tuple[subprocess.Popen[bytes], Any]:
    """The probe app under run_socketify in a child process (a real socketify server)."""
    env = {**os.environ, "PROBE_MARKER_DIR": str(tmp_path), "PYTHONPATH": str(PROJECT_ROOT)}
    code = (
        "from baton.socketify_compat import run_socketify;"
        f"run_socketify('tests.deploy.socketify_probe_app:app', host='127.0.0.1', port={port})"
    )
    log = (tmp_path / "server.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-c", code], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    return proc, log


def reap(proc: subprocess.Popen[bytes], log: Any) -> None:
    if proc.poll() is None:
        proc.kill()
        proc.wait(5)
    log.close()


async def test_socketify_serves_a_litestar_app_correctly(tmp_path: Path) -> None:
    """End to end under real socketify: scopes, a streamed response, a websocket, shutdown."""
    port = free_port()
    proc, log = spawn_probe(tmp_path, port)
    base = f"http://127.0.0.1:{port}"
    try:
        await wait_http(f"{base}/scope/x", timeout=30)
        assert (tmp_path / "startup").exists()
        async with httpx.AsyncClient(base_url=base, timeout=10) as http:
            body = (await http.get("/scope/a%20b?x=1&y=2")).json()
            assert body["name"] == "a b"
            assert body["path"] == "/scope/a b"
            assert body["query_string"] == "x=1&y=2"
            assert body["query"] == {"x": "1", "y": "2"}
            assert body["client"][0] == "127.0.0.1"
            assert isinstance(body["client"][1], int)

            streamed = await http.get("/stream")  # hangs unpatched (anyio cancel scope)
            assert streamed.text == "".join(f"chunk{i}\n" for i in range(5))

        async with websockets.connect(f"ws://127.0.0.1:{port}/ws?k=v") as ws:
            await ws.send("hi")  # refused with 403 unpatched (method in scope)
            reply = json.loads(await asyncio.wait_for(ws.recv(), 10))
        assert reply == {"echo": "hi", "query_string": "k=v", "has_method": False}

        assert not (tmp_path / "shutdown").exists()
        proc.send_signal(signal.SIGTERM)
        assert await asyncio.to_thread(proc.wait, 20) == 0
        assert (tmp_path / "shutdown").read_text() == "ok"  # lifespan shutdown ran
    except BaseException:
        log.flush()
        print((tmp_path / "server.log").read_text(errors="replace")[-4000:])
        raise
    finally:
        reap(proc, log)


async def test_sigint_also_runs_shutdown(tmp_path: Path) -> None:
    port = free_port()
    proc, log = spawn_probe(tmp_path, port)
    try:
        await wait_http(f"http://127.0.0.1:{port}/scope/x", timeout=30)
        proc.send_signal(signal.SIGINT)
        assert await asyncio.to_thread(proc.wait, 20) == 0
        assert (tmp_path / "shutdown").read_text() == "ok"
    finally:
        reap(proc, log)
