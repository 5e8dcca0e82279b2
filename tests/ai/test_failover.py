"""Failover: a primary that errors, stalls or rejects its key; the breaker; retries; a failure
after the first token; every provider down."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from baton.ai.providers.base import ChatRequest, Event, ProviderError
from baton.ai.providers.builtin import TALK_TO_PERSON, BuiltinProvider
from baton.ai.replier import APOLOGY, INTERRUPTED
from baton.kit.clock import clock
from baton.runtime import Runtime
from tests.ai.fakes import FakeLLM, Script
from tests.ai.helpers import (
    add_provider,
    admin,
    ask,
    base_url_for,
    conversation,
    logs_of,
    streamed,
)
from tests.realtime.clients import barrier
from tests.support import LiveServer

BACKUP_TOKENS = ["Standard shipping", " takes 3-5", " business days."]
PRIMARY_TOKENS = ["PRIMARY", " SHOULD", " NOT", " SHOW"]


async def fleet(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    primary_kind: str,
    fake: FakeLLM,
    backup: FakeLLM,
    **primary: Any,
) -> tuple[dict[str, Any], dict[str, Any]]:
    first = await add_provider(
        client,
        headers,
        kind=primary_kind,
        name="primary",
        model="primary-model",
        base_url=base_url_for(primary_kind, fake.base_url),
        api_key=fake.key,
        priority=1,
        **primary,
    )
    second = await add_provider(
        client,
        headers,
        kind="openai",
        name="backup",
        model="backup-model",
        base_url=f"{backup.base_url}/v1",
        api_key=backup.key,
        priority=2,
    )
    backup.script = Script(tokens=BACKUP_TOKENS, delay=0.02)
    return first, second


@pytest.mark.parametrize("primary_kind", ["openai", "anthropic", "gemini"])
@pytest.mark.parametrize("failure", ["error500", "stall", "wrong_key"])
async def test_visitor_gets_one_complete_answer_from_the_next_provider(
    failure: str,
    primary_kind: str,
    server: LiveServer,
    client: httpx.AsyncClient,
    runtime: Runtime,
    fake: FakeLLM,
    backup: FakeLLM,
) -> None:
    headers = await admin(client, runtime)
    # the first-token timeout is what a stall trips; for the other failures it is only a bound,
    # and a short one could fire on a loaded machine before the request reaches the fake
    timeout = 1.0 if failure == "stall" else 10.0
    primary, _ = await fleet(
        client, headers, primary_kind, fake, backup, first_token_seconds=timeout
    )
    fake.script = Script(tokens=PRIMARY_TOKENS, mode="ok" if failure == "wrong_key" else failure)
    if failure == "wrong_key":
        fake.key = "sk-the-right-key-is-another"
    v, conversation_id, bot = await ask(server.base_url, "How long does shipping take?")
    try:
        await barrier(runtime, v)  # anything else already sent has arrived
        assert len(v.received["bot_message"]) == 1
        assert bot["text"] == "".join(BACKUP_TOKENS)
        deltas = [d["delta"] for d in v.received["bot_stream"]]
        # the first token goes out alone; later ones arrive joined in ~40 ms frames
        assert deltas[0] == BACKUP_TOKENS[0] and "".join(deltas) == "".join(BACKUP_TOKENS)
        assert "".join(streamed(v, bot["id"])) == "".join(BACKUP_TOKENS)
        assert len(fake.requests) == 1 and len(backup.requests) == 1

        [log] = await logs_of(runtime, conversation_id)
        assert log.provider_name == "backup" and log.outcome == "answered"
        assert log.failovers == 1
        expected = {
            "error500": "server_error (500)",
            "stall": "first_token_timeout",
            # Gemini answers a wrong key with 400 API_KEY_INVALID, the others with 401
            "wrong_key": "auth (400)" if primary_kind == "gemini" else "auth (401)",
        }[failure]
        assert [a["error"] for a in log.attempts] == [expected]
        assert log.attempts[0]["provider_id"] == primary["id"]

        health = (
            await client.get(f"/api/v1/ai/providers/{primary['id']}", headers=headers)
        ).json()["health"]
        assert health["consecutive_failures"] == 1 and health["last_error"] == expected
        assert health["state"] == "closed"  # one failure is below the threshold (3)
    finally:
        await v.disconnect()


async def test_breaker_opens_after_repeated_failures_and_closes_after_cooldown(
    server: LiveServer,
    client: httpx.AsyncClient,
    runtime: Runtime,
    fake: FakeLLM,
    backup: FakeLLM,
) -> None:
    headers = await admin(client, runtime)
    primary, _ = await fleet(
        client, headers, "anthropic", fake, backup, failure_threshold=2, cooldown_seconds=1.0
    )
    fake.script = Script(mode="error500")
    url = f"/api/v1/ai/providers/{primary['id']}"
    v, conversation_id, _ = await ask(server.base_url, "shipping?")
    try:
        assert (await client.get(url, headers=headers)).json()["health"]["state"] == "closed"
        await ask(server.base_url, "shipping times?", client=v)
        health = (await client.get(url, headers=headers)).json()["health"]
        assert health["state"] == "open" and health["consecutive_failures"] == 2
        assert health["open_until"] is not None
        assert len(fake.requests) == 2

        # open: the primary is not even asked; the backup answers at once
        _, _, bot = await ask(server.base_url, "and express shipping?", client=v)
        assert bot["text"] == "".join(BACKUP_TOKENS)
        assert len(fake.requests) == 2
        logs = await logs_of(runtime, conversation_id)
        assert [a["error"] for a in logs[-1].attempts] == ["circuit_open"]
        assert logs[-1].failovers == 1
        fleet_view = (await client.get("/api/v1/ai/fleet", headers=headers)).json()["members"]
        assert [(m["name"], m["health"]["state"]) for m in fleet_view] == [
            ("primary", "open"),
            ("backup", "closed"),
            ("Knowledge base", "closed"),
        ]

        # after the cool-down one request may try it (half-open); a success closes it
        clock.advance(1.1)
        assert (await client.get(url, headers=headers)).json()["health"]["state"] == "half_open"
        fake.script = Script(tokens=["Back", " again."])
        _, _, bot = await ask(server.base_url, "shipping to Canada?", client=v)
        assert bot["text"] == "Back again."
        health = (await client.get(url, headers=headers)).json()["health"]
        assert health["state"] == "closed" and health["consecutive_failures"] == 0
        assert health["last_success_at"] is not None
        assert (await logs_of(runtime, conversation_id))[-1].failovers == 0
    finally:
        await v.disconnect()


async def test_a_healthy_providers_successes_are_written_at_most_every_30_seconds(
    server: LiveServer,
    client: httpx.AsyncClient,
    runtime: Runtime,
    fake: FakeLLM,
    backup: FakeLLM,
) -> None:
    """Every reply used to write its success to the provider row, and concurrent replies
    queued on that row's lock; a success that only moves a recent ``last_success_at`` is not
    written, one that resets failures always is."""
    headers = await admin(client, runtime)
    primary, _ = await fleet(client, headers, "openai", fake, backup)
    url = f"/api/v1/ai/providers/{primary['id']}"

    async def health() -> dict[str, Any]:
        found: dict[str, Any] = (await client.get(url, headers=headers)).json()["health"]
        return found

    fake.script = Script(tokens=["Hello", " there."])
    v, _, bot = await ask(server.base_url, "shipping?")
    try:
        assert bot["text"] == "Hello there."
        first = (await health())["last_success_at"]
        assert first is not None

        clock.advance(10)
        await ask(server.base_url, "and returns?", client=v)
        assert (await health())["last_success_at"] == first  # nothing new to say: not written

        clock.advance(21)  # 31 s after the written one
        await ask(server.base_url, "and exchanges?", client=v)
        later = (await health())["last_success_at"]
        assert later is not None and later > first

        fake.script = Script(mode="error500")
        _, _, bot = await ask(server.base_url, "gift cards?", client=v)
        assert bot["text"] == "".join(BACKUP_TOKENS)
        assert (await health())["consecutive_failures"] == 1
        fake.script = Script(tokens=["Fine", " again."])
        _, _, bot = await ask(server.base_url, "vouchers?", client=v)
        assert bot["text"] == "Fine again."
        after = await health()
        assert after["consecutive_failures"] == 0 and after["last_success_at"] > later
    finally:
        await v.disconnect()


async def test_retries_with_backoff_only_when_a_retry_can_help(
    server: LiveServer,
    client: httpx.AsyncClient,
    runtime: Runtime,
    fake: FakeLLM,
    backup: FakeLLM,
) -> None:
    headers = await admin(client, runtime)
    await fleet(client, headers, "openai", fake, backup, max_retries=2, failure_threshold=10)
    fake.script = Script(mode="error500")
    v, conversation_id, bot = await ask(server.base_url, "shipping?")
    try:
        assert bot["text"] == "".join(BACKUP_TOKENS)
        assert len(fake.requests) == 3  # the first try and two retries
        [log] = await logs_of(runtime, conversation_id)
        assert [(a["error"], a["retry"]) for a in log.attempts] == [
            ("server_error (500)", 0),
            ("server_error (500)", 1),
            ("server_error (500)", 2),
        ]
        assert log.failovers == 1

        # a wrong key is not retried: it would fail the same way
        fake.key = "sk-rotated"
        await ask(server.base_url, "shipping again?", client=v)
        assert len(fake.requests) == 4
        assert [a["error"] for a in (await logs_of(runtime, conversation_id))[-1].attempts] == [
            "auth (401)"
        ]
    finally:
        await v.disconnect()


async def test_failure_after_the_first_token_ends_honestly_without_failover(
    server: LiveServer,
    client: httpx.AsyncClient,
    runtime: Runtime,
    fake: FakeLLM,
    backup: FakeLLM,
) -> None:
    headers = await admin(client, runtime)
    await fleet(client, headers, "gemini", fake, backup, timeout_seconds=0.8)
    fake.script = Script(tokens=["Standard shipping takes", " 3-5 days"], mode="stall_after_first")
    v, conversation_id, bot = await ask(server.base_url, "How long does shipping take?")
    try:
        assert streamed(v, bot["id"]) == ["Standard shipping takes", INTERRUPTED]
        assert bot["text"] == f"Standard shipping takes{INTERRUPTED}"
        assert bot["suggestions"][0] == TALK_TO_PERSON
        assert backup.requests == []  # the visitor already had part of the answer
        [log] = await logs_of(runtime, conversation_id)
        assert log.outcome == "interrupted" and log.provider_name == "primary"
        assert [a["error"] for a in log.attempts] == ["timeout"]
        assert (await conversation(runtime, conversation_id)).status == "bot"
    finally:
        await v.disconnect()


async def test_every_provider_failing_apologises_and_queues_for_a_person(
    server: LiveServer,
    client: httpx.AsyncClient,
    runtime: Runtime,
    fake: FakeLLM,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    headers = await admin(client, runtime)
    await add_provider(
        client,
        headers,
        kind="openai",
        name="only",
        model="m",
        base_url=f"{fake.base_url}/v1",
        api_key=fake.key,
    )
    fake.script = Script(mode="error500")

    async def broken(self: BuiltinProvider, request: ChatRequest) -> AsyncIterator[Event]:
        raise ProviderError("error", retryable=False)
        yield  # pragma: no cover

    monkeypatch.setattr(BuiltinProvider, "stream", broken)  # even the knowledge base is down
    v, conversation_id, bot = await ask(server.base_url, "Where is my order?")
    try:
        assert bot["text"] == APOLOGY and bot["source"] == "fallback"
        await v.wait_for("status_changed", lambda d: d["status"] == "waiting")
        found = await conversation(runtime, conversation_id)
        assert found.status == "waiting" and found.handoff_reason == "ai_unavailable"
        [log] = await logs_of(runtime, conversation_id)
        assert log.response_type == "fallback" and log.outcome == "failed"
        assert log.failovers == 1
        assert [a["name"] for a in log.attempts] == ["only", "Knowledge base"]
    finally:
        await v.disconnect()
