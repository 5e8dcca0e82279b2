"""SQL statements per request on the paths every handoff takes (issue 10's budget): counted,
not timed, so a change that adds a read to the path fails here, not only in the bench."""

from __future__ import annotations

import collections
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from baton.kit.uow import unit_of_work
from baton.runtime import Runtime
from baton.webhooks.outbox import ActiveWebhooks
from baton.workspace.service import get_config
from tests.conversations.helpers import agent, visitor
from tests.factories import bearer
from tests.statements import task_statements
from tests.support import LiveServer

HANDOFF_BUDGET = 12  # the auth lookup included (19 before the core-pipeline work)


@contextmanager
def request_statements(runtime: Runtime) -> Iterator[collections.Counter[str]]:
    """Data statements issued by HTTP requests' own tasks (uvicorn runs each request in a
    ``run_asgi`` task); listeners' background tasks that a commit starts are left out."""
    counts: collections.Counter[str] = collections.Counter()
    with task_statements(runtime, lambda coro: coro.endswith("run_asgi")) as seen:
        yield counts
    counts.update(" ".join(s.split()[:3]) for s in seen)


async def _warm_process_copies(runtime: Runtime) -> None:
    """The per-process copies a request may refresh (the workspace settings, 2 s; the
    active webhooks, 5 s) loaded just now: the budget is the path's steady state, not the
    amortised refresh that a slow machine's seconds between setup and request can land in."""
    async with unit_of_work(runtime) as uow:
        await get_config(uow.session)
        await runtime.slot(ActiveWebhooks).get(uow)


async def test_a_handoff_with_an_agent_online_stays_within_its_statement_budget(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    inbox, _, token = await agent(server.base_url, client, runtime)
    v, start = await visitor(server.base_url, visitor={"name": "Vera"})
    try:
        sent = await v.call("user_message", {"client_id": "q1", "text": "my parcel is late"})
        assert "error" not in sent, sent
        await _warm_process_copies(runtime)
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
