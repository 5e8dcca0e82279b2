"""200 visitors come and go across two api processes: every process's live list and an
agent's delta-kept list converge within 2 s, and a killed process's visitors expire."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from baton.settings import Settings
from tests.conversations.helpers import visitor
from tests.factories import login, make_user
from tests.realtime.clients import LoggingClient, RecordingClient
from tests.support import LiveServer, Subprocess, free_port, settings_env, uses_postgres, wait_http

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not uses_postgres(), reason="scale-out needs Redis (runs in the PostgreSQL+Redis pass)"
    ),
]

TTL = 3
VISITORS = 200


@pytest.fixture
async def two_apis(
    settings: Settings, data_dir: Path, server: LiveServer
) -> AsyncIterator[tuple[list[str], list[Subprocess]]]:
    env = {**settings_env(settings), "BATON_VISITOR_PRESENCE_TTL_SECONDS": str(TTL)}
    procs, urls = [], []
    for i in range(2):
        port = free_port()
        procs.append(Subprocess(["serve", "--port", str(port)], env, data_dir / f"pres{i}.log"))
        urls.append(f"http://127.0.0.1:{port}")
    try:
        await asyncio.gather(*(wait_http(f"{u}/health") for u in urls))
    except AssertionError:
        raise AssertionError("\n".join(p.output() for p in procs)) from None
    yield urls, procs
    for p in procs:
        p.stop()


def _apply(agent: LoggingClient, seen: int, live: set[str]) -> int:
    """Replay the agent's visitor deltas (in arrival order) onto ``live``."""
    for event, data in agent.log[seen:]:
        if event == "visitor_joined" or event == "visitor_updated":
            live.add(data["visitor"]["visitor_id"])
        elif event == "visitor_left":
            live.discard(data["visitor_id"])
    return len(agent.log)


async def _deltas_reach(agent: LoggingClient, seen: int, live: set[str], want: set[str]) -> int:
    # polled against the wall clock on purpose: "converges within 2 s" is the behaviour tested
    deadline = time.monotonic() + 2
    while True:
        seen = _apply(agent, seen, live)
        if live == want:
            return seen
        assert time.monotonic() < deadline, (len(live), len(want))
        await asyncio.sleep(0.1)


async def _converged(
    urls: list[str], headers: dict[str, str], want: set[str], within: float
) -> None:
    # polled against the wall clock on purpose: converging ``within`` seconds is what is tested
    deadline = time.monotonic() + within
    got: list[set[str]] = []
    while True:
        got = []
        for url in urls:
            async with httpx.AsyncClient(base_url=url) as http:
                r = await http.get("/api/v1/visitors/live", headers=headers)
                got.append({i["visitor_id"] for i in r.json()["items"]})
        if all(g == want for g in got):
            return
        assert time.monotonic() < deadline, [(len(g), len(g ^ want)) for g in got]
        await asyncio.sleep(0.1)


async def test_two_hundred_visitors_converge_and_a_killed_process_expires(
    two_apis: tuple[list[str], list[Subprocess]], server: LiveServer
) -> None:
    (a, b), procs = two_apis
    user = await make_user(server.runtime, name="Dana", presence="online")
    async with httpx.AsyncClient(base_url=a) as http:
        token = await login(http, user.email)
    headers = {"Authorization": f"Bearer {token}"}
    dana = LoggingClient("/agent")
    await dana.connect(a, auth={"token": token})
    clients: list[tuple[str, RecordingClient, str]] = []

    async def one(i: int) -> None:
        url = a if i % 2 == 0 else b
        page = f"https://shop.test/p{i}"
        c, _ = await visitor(url, visitor={"page_url": page})
        clients.append((url, c, page))

    try:
        for start in range(0, VISITORS, 25):
            await asyncio.gather(*(one(i) for i in range(start, start + 25)))
        async with httpx.AsyncClient(base_url=a) as http:
            items = (await http.get("/api/v1/visitors/live", headers=headers)).json()["items"]
        by_page = {i["page_url"]: i["visitor_id"] for i in items}
        deadline = time.monotonic() + 2
        while len(by_page) < VISITORS and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
            async with httpx.AsyncClient(base_url=a) as http:
                items = (await http.get("/api/v1/visitors/live", headers=headers)).json()["items"]
            by_page = {i["page_url"]: i["visitor_id"] for i in items}
        all_ids = set(by_page.values())
        assert len(all_ids) == VISITORS
        await _converged([a, b], headers, all_ids, within=2)

        # half of them leave (from both processes)
        leaving = clients[: VISITORS // 2]
        await asyncio.gather(*(c.disconnect() for _, c, _ in leaving))
        staying = clients[VISITORS // 2 :]
        want = {by_page[page] for _, _, page in staying}
        await _converged([a, b], headers, want, within=2)
        live: set[str] = set()
        seen = await _deltas_reach(dana, 0, live, want)

        # process B dies without a goodbye: its visitors expire after the TTL
        procs[1].kill()
        on_a = {by_page[page] for url, _, page in staying if url == a}
        await _converged([a], headers, on_a, within=TTL + 3)
        await _deltas_reach(dana, seen, live, on_a)
    finally:
        await asyncio.gather(*(c.disconnect() for _, c, _ in clients), return_exceptions=True)
        await dana.disconnect()
