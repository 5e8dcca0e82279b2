"""The reply's rules and fleet come from this process's copy (``ai.setup_cache``): a reply
reads neither table while it is fresh, a change made in this process answers the very next
question, and a change made elsewhere (here: a Core UPDATE, which no flush sees, as in
another process) is taken once the copy is ``CACHE_SECONDS`` old."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import update

from baton.ai import fleet, setup_cache
from baton.ai.models import AutoReplyRule
from baton.kit.uow import unit_of_work
from baton.runtime import Runtime
from tests.ai.helpers import admin, ask
from tests.statements import task_statements
from tests.support import LiveServer

REPLY_TASK = "ReplyScheduler.schedule.<locals>.run"


async def test_a_reply_reads_no_rules_or_providers_while_the_copy_is_fresh(
    server: LiveServer, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    v, _, _ = await ask(server.base_url, "How do I reset my password?")  # fills the copy
    try:
        requested_at: list[int] = []
        run = fleet.run

        async def marked(*args: Any, **kwargs: Any) -> fleet.FleetResult:
            requested_at.append(len(statements))
            return await run(*args, **kwargs)

        monkeypatch.setattr(fleet, "run", marked)  # the replier calls fleet.run
        with task_statements(runtime, lambda coro: coro == REPLY_TASK) as statements:
            await ask(server.base_url, "And how do I change my email?", client=v)
        [before] = requested_at
        reads = statements[:before]
        print(f"\nstatements before the request to the fleet: {len(reads)}")
        assert statements, "the reply ran no statement at all"
        assert not [s for s in statements if "FROM ai_auto_replies" in s], statements
        assert not [s for s in statements if "FROM ai_providers" in s], statements
        # the conversation's status with the history, and the knowledge stamp
        assert len(reads) <= 2, reads
    finally:
        await v.disconnect()


async def test_rules_changed_here_answer_at_once_and_elsewhere_within_the_cache_time(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    headers = await admin(client, runtime)
    v, _, first = await ask(server.base_url, "What are your opening hours?")
    try:
        assert first["source"] != "auto_reply"  # no rule yet (and the copy now says so)
        made = await client.post(
            "/api/v1/ai/auto-replies",
            json={
                "name": "hours",
                "match": "contains",
                "patterns": ["opening hours"],
                "response": "We're open 9-5.",
            },
            headers=headers,
        )
        assert made.status_code == 201, made.text
        _, _, ruled = await ask(server.base_url, "opening hours please?", client=v)
        assert (ruled["source"], ruled["text"]) == ("auto_reply", "We're open 9-5.")

        # another process's edit: no flush in this one sees it
        async with unit_of_work(runtime) as uow:
            await uow.session.execute(update(AutoReplyRule).values(response="We're open 8-6."))
        _, _, cached = await ask(server.base_url, "opening hours again?", client=v)
        assert cached["text"] == "We're open 9-5."  # still this process's copy
        monkeypatch.setattr(setup_cache, "CACHE_SECONDS", 0.0)
        _, _, fresh = await ask(server.base_url, "and the opening hours now?", client=v)
        assert fresh["text"] == "We're open 8-6."
    finally:
        await v.disconnect()
