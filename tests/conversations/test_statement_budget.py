"""SQL statements per request on the paths every handoff takes (issue 10's budget): counted,
not timed, so a change that adds a read to the path fails here, not only in the bench."""

from __future__ import annotations

import asyncio
import collections
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from sqlalchemy import event

from baton.runtime import Runtime
from tests.conversations.helpers import agent, visitor
from tests.factories import bearer
from tests.support import LiveServer

HANDOFF_BUDGET = 12  # the auth lookup included (19 before the core-pipeline work)
VERBS = ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")


@contextmanager
def request_statements(runtime: Runtime) -> Iterator[collections.Counter[str]]:
    """Data statements issued by HTTP requests' own tasks (uvicorn runs each request in a
    ``run_asgi`` task); listeners' background tasks that a commit starts are left out, as
    are transaction control statements (BEGIN/SAVEPOINT differ between the backends)."""
    counts: collections.Counter[str] = collections.Counter()

    def count(_c: Any, _cur: Any, statement: str, *_: Any) -> None:
        task = asyncio.current_task()
        coro = getattr(task.get_coro(), "__qualname__", "") if task is not None else ""
        words = statement.split()
        if coro.endswith("run_asgi") and words and words[0].upper() in VERBS:
            counts[" ".join(words[:3])] += 1

    engine = runtime.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield counts
    finally:
        event.remove(engine, "before_cursor_execute", count)


async def test_a_handoff_with_an_agent_online_stays_within_its_statement_budget(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    inbox, _, token = await agent(server.base_url, client, runtime)
    v, start = await visitor(server.base_url, visitor={"name": "Vera"})
    try:
        sent = await v.call("user_message", {"client_id": "q1", "text": "my parcel is late"})
        assert "error" not in sent, sent
        with request_statements(runtime) as counts:
            handed = await client.post(
                f"/api/v1/conversations/{start['conversation_id']}/handoff",
                headers=bearer(token),
            )
        assert handed.status_code == 200, handed.text
        assert handed.json()["status"] == "waiting"
        total = sum(counts.values())
        print(f"\nPOST .../handoff: {total} statements {dict(counts)}")
        assert total <= HANDOFF_BUDGET, dict(counts)
    finally:
        await v.disconnect()
        await inbox.disconnect()
