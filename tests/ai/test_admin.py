"""Provider configuration over REST: write-only keys sealed under the master key, validation,
permissions, the fleet view, AI settings; verdicts on the accuracy log; auto-replies."""

from __future__ import annotations

import base64
import dataclasses
import logging
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from baton.ai.fleet import FleetState, env_members, key_context
from baton.kit.crypto import Envelope
from baton.runtime import Runtime
from tests.ai.fakes import FakeLLM, Script
from tests.ai.helpers import add_provider, admin, ask, logs_of, seed_kb
from tests.factories import user_headers
from tests.support import LiveServer

SECRET = "sk-live-THIS-IS-A-VERY-SECRET-KEY-QzXw"  # no hex digits at the end


async def test_api_keys_are_write_only_and_sealed(
    server: LiveServer,
    client: httpx.AsyncClient,
    runtime: Runtime,
    fake: FakeLLM,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    headers = await admin(client, runtime)
    created = await add_provider(
        client,
        headers,
        kind="anthropic",
        name="Claude",
        model="claude-fake",
        base_url=fake.base_url,
        api_key=SECRET,
    )
    seen = [created]
    assert created["has_api_key"] is True and "api_key" not in created
    provider_id = created["id"]

    listed = await client.get("/api/v1/ai/providers", headers=headers)
    one = await client.get(f"/api/v1/ai/providers/{provider_id}", headers=headers)
    renamed = await client.patch(
        f"/api/v1/ai/providers/{provider_id}", json={"name": "Claude 2"}, headers=headers
    )
    fleet = await client.get("/api/v1/ai/fleet", headers=headers)
    schema = await client.get("/schema/openapi.json")
    for response in (listed, one, renamed, fleet):
        assert response.status_code == 200, response.text
    seen += [listed.json(), one.json(), renamed.json(), fleet.json()]
    assert renamed.json()["has_api_key"] is True  # a patch without api_key keeps it

    # the wrong key is used (the fake expects another): the failure is logged, the key is not
    v, conversation_id, _ = await ask(server.base_url, "hello there")
    await v.disconnect()
    [log_row] = await logs_of(runtime, conversation_id)
    assert log_row.attempts[0]["error"] == "auth (401)"
    logs = await client.get("/api/v1/ai/logs", headers=headers)
    seen.append(logs.json())

    everything = " ".join(str(x) for x in seen) + schema.text + caplog.text
    for fragment in (SECRET, SECRET[-4:], SECRET[:12]):
        assert fragment not in everything
    assert fake.requests and fake.requests[0].headers.get("Authorization") == f"Bearer {SECRET}"

    # in the database: sealed, bound to its row, unreadable without the master key
    async with runtime.db.engine.connect() as conn:
        row = (
            (
                await conn.execute(
                    text("SELECT * FROM ai_providers WHERE kind = 'anthropic'"),
                )
            )
            .mappings()
            .one()
        )
    sealed = row["api_key_sealed"]
    assert SECRET not in " ".join(str(v) for v in row.values())
    assert base64.b64encode(SECRET.encode()).decode()[:20] not in sealed
    assert runtime.envelope.decrypt(sealed, context=key_context(uuid.UUID(provider_id))) == SECRET
    other = Envelope(b"\x01" * 32)
    with pytest.raises(Exception):  # noqa: B017 - any failure: AES-GCM authentication
        other.decrypt(sealed, context=key_context(uuid.UUID(provider_id)))
    with pytest.raises(Exception):  # noqa: B017 - bound to this provider's id
        runtime.envelope.decrypt(sealed, context=key_context(uuid.uuid4()))

    # api_key: null removes it; a new key replaces it
    cleared = await client.patch(
        f"/api/v1/ai/providers/{provider_id}",
        json={"kind_is_not_patchable": True},
        headers=headers,
    )
    assert cleared.status_code == 422  # unknown field, nothing changed
    replaced = await client.patch(
        f"/api/v1/ai/providers/{provider_id}", json={"api_key": fake.key}, headers=headers
    )
    assert replaced.status_code == 200 and replaced.json()["has_api_key"] is True
    fake.script = Script(tokens=["Now it", " works."])
    v, _, bot = await ask(server.base_url, "hello again")
    await v.disconnect()
    assert bot["text"] == "Now it works."


async def test_provider_validation_and_permissions(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    headers = await admin(client, runtime)
    _, agent_headers = await user_headers(client, runtime, role="agent")
    url = "/api/v1/ai/providers"
    bad_bodies = [
        {"kind": "skynet", "name": "x"},
        {"kind": "openai", "name": "x", "base_url": "ftp://example.com"},
        {"kind": "anthropic", "name": "no key"},
        {"kind": "builtin", "name": "kb", "api_key": "sk-1"},
        {"kind": "openai", "name": "x", "first_token_seconds": 0},
        {"kind": "openai", "name": "x", "max_retries": 50},
        {"kind": "openai", "name": "   "},
        {"kind": "openai", "name": "x", "surprise": 1},
        {"kind": "openai"},
    ]
    for body in bad_bodies:
        response = await client.post(url, json=body, headers=headers)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["error"] and "detail" in response.json()
    assert (await client.get(url, headers=headers)).json()["items"] == []

    made = await add_provider(client, headers, kind="openai", name="ok", model="m")
    assert made["model"] == "m" and made["has_api_key"] is False
    default = await add_provider(client, headers, kind="gemini", name="g", api_key="k")
    assert default["model"] == "gemini-2.5-flash"
    bad_patch = await client.patch(
        f"{url}/{made['id']}", json={"timeout_seconds": -1}, headers=headers
    )
    assert bad_patch.status_code == 422
    assert (await client.get(f"{url}/{made['id']}", headers=headers)).json()[
        "timeout_seconds"
    ] == made["timeout_seconds"]

    for method, path, body in [
        ("GET", url, None),
        ("POST", url, {"kind": "openai", "name": "x"}),
        ("PATCH", f"{url}/{made['id']}", {"name": "y"}),
        ("DELETE", f"{url}/{made['id']}", None),
        ("GET", "/api/v1/ai/fleet", None),
        ("GET", "/api/v1/ai/settings", None),
        ("GET", "/api/v1/ai/auto-replies", None),
    ]:
        response = await client.request(method, path, json=body, headers=agent_headers)
        assert response.status_code == 403, (method, path, response.text)
    assert (await client.get(url)).status_code == 401

    missing = await client.get(f"{url}/{uuid.uuid4()}", headers=headers)
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"
    deleted = await client.delete(f"{url}/{made['id']}", headers=headers)
    assert deleted.status_code == 204
    assert [p["name"] for p in (await client.get(url, headers=headers)).json()["items"]] == ["g"]


async def test_fleet_order_env_keys_and_builtin_last(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    headers = await admin(client, runtime)
    members = (await client.get("/api/v1/ai/fleet", headers=headers)).json()["members"]
    assert [(m["source"], m["kind"]) for m in members] == [("builtin", "builtin")]

    # keys from the environment seed default providers while none is configured over REST
    settings = dataclasses.replace(
        runtime.settings, openai_api_key="sk-env-1", gemini_api_key="g-env-2"
    )
    env = env_members(settings, FleetState())
    assert [(m.kind, m.source, m.model) for m in env] == [
        ("openai", "env", "gpt-4o-mini"),
        ("gemini", "env", "gemini-2.5-flash"),
    ]

    await add_provider(client, headers, kind="openai", name="second", priority=20)
    await add_provider(client, headers, kind="openai", name="first", priority=5)
    await add_provider(client, headers, kind="openai", name="off", priority=1, enabled=False)
    members = (await client.get("/api/v1/ai/fleet", headers=headers)).json()["members"]
    assert [m["name"] for m in members] == ["first", "second", "Knowledge base"]
    assert [m["position"] for m in members] == [1, 2, 3]


async def test_ai_settings_over_rest(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    headers = await admin(client, runtime)
    url = "/api/v1/ai/settings"
    current = (await client.get(url, headers=headers)).json()
    assert set(current) == {
        "system_prompt",
        "context_messages",
        "welcome_message",
        "image_analysis_prompt",
        "redact_pii_in_prompts",
    }
    assert "image" in current["image_analysis_prompt"]  # a useful default
    assert current["redact_pii_in_prompts"] is False  # off by default
    changed = await client.patch(
        url,
        json={
            "system_prompt": "Be brief.",
            "context_messages": 4,
            "welcome_message": "Hey!",
            "image_analysis_prompt": "Read the error on the screenshot.",
        },
        headers=headers,
    )
    assert changed.status_code == 200
    assert changed.json() == {
        "system_prompt": "Be brief.",
        "context_messages": 4,
        "welcome_message": "Hey!",
        "image_analysis_prompt": "Read the error on the screenshot.",
        "redact_pii_in_prompts": False,
    }
    too_long = await client.patch(
        url, json={"image_analysis_prompt": "x" * 20_001}, headers=headers
    )
    assert too_long.status_code in (400, 422)
    bad = await client.patch(url, json={"context_messages": 1000}, headers=headers)
    assert bad.status_code == 422
    assert (await client.get(url, headers=headers)).json()["context_messages"] == 4


async def test_context_and_system_prompt_reach_the_model(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime, fake: FakeLLM
) -> None:
    headers = await admin(client, runtime)
    await client.patch(
        "/api/v1/ai/settings",
        json={"system_prompt": "You are Baton's test bot.", "context_messages": 3},
        headers=headers,
    )
    await add_provider(
        client,
        headers,
        kind="openai",
        name="o",
        model="m",
        base_url=f"{fake.base_url}/v1",
        api_key=fake.key,
    )
    fake.script = Script(tokens=["ok"])
    v, _, _ = await ask(server.base_url, "first question")
    try:
        await ask(server.base_url, "second question", client=v)
        await ask(server.base_url, "third question", client=v)
        body = fake.requests[-1].body
        assert body["messages"][0]["role"] == "system"
        assert body["messages"][0]["content"].startswith("You are Baton's test bot.")
        # the last 3 messages: visitor, bot, visitor (the oldest fell out of the window)
        assert [(m["role"], m["content"]) for m in body["messages"][1:]] == [
            ("user", "second question"),
            ("assistant", "ok"),
            ("user", "third question"),
        ]
    finally:
        await v.disconnect()


async def test_verdicts_on_the_accuracy_log(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    await seed_kb(runtime)
    agent_user, agent_headers = await user_headers(client, runtime, role="agent")
    v, conversation_id, bot = await ask(server.base_url, "How do I reset my password?")
    await ask(server.base_url, "Do you sell bicycles?", client=v)
    await v.disconnect()

    page = await client.get(
        "/api/v1/ai/logs", params={"conversation_id": conversation_id}, headers=agent_headers
    )
    assert page.status_code == 200
    items = page.json()["items"]
    assert [i["outcome"] for i in items] == ["no_answer", "answered"]  # newest first
    answered = items[1]
    assert answered["message_id"] == bot["id"] and answered["verdict"] is None
    url = f"/api/v1/ai/logs/{answered['id']}/verdict"

    bad = await client.post(url, json={"verdict": "meh"}, headers=agent_headers)
    assert bad.status_code == 422
    missing = await client.post(url, json={"verdict": "corrected"}, headers=agent_headers)
    assert missing.status_code == 422 and missing.json()["error"] == "correction_required"
    assert (await client.get(f"/api/v1/ai/logs/{answered['id']}", headers=agent_headers)).json()[
        "verdict"
    ] is None

    good = await client.post(
        url, json={"verdict": "good", "note": "spot on"}, headers=agent_headers
    )
    assert good.status_code == 200
    assert good.json()["verdict"] == "good" and good.json()["verdict_by_id"] == str(agent_user.id)
    corrected = await client.post(
        f"/api/v1/ai/logs/{items[0]['id']}/verdict",
        json={"verdict": "corrected", "correction": "We do not sell bicycles."},
        headers=agent_headers,
    )
    assert corrected.json()["correction"] == "We do not sell bicycles."

    unreviewed = await client.get(
        "/api/v1/ai/logs", params={"verdict": "none"}, headers=agent_headers
    )
    assert unreviewed.json()["items"] == []
    only_good = await client.get(
        "/api/v1/ai/logs", params={"verdict": "good"}, headers=agent_headers
    )
    assert [i["id"] for i in only_good.json()["items"]] == [answered["id"]]
    bad_filter = await client.get(
        "/api/v1/ai/logs", params={"response_type": "magic"}, headers=agent_headers
    )
    assert bad_filter.status_code == 422

    summary = (await client.get("/api/v1/ai/logs/summary", headers=agent_headers)).json()
    [row] = summary["rows"]
    assert row["response_type"] == "knowledge_base" and row["replies"] == 2
    assert (row["answered"], row["no_answer"], row["good"], row["corrected"]) == (1, 1, 1, 1)

    # paging
    first = await client.get("/api/v1/ai/logs", params={"limit": 1}, headers=agent_headers)
    second = await client.get(
        "/api/v1/ai/logs",
        params={"limit": 1, "cursor": first.json()["next_cursor"]},
        headers=agent_headers,
    )
    assert [i["id"] for i in first.json()["items"] + second.json()["items"]] == [
        i["id"] for i in items
    ]
    assert second.json()["next_cursor"] is None

    # integrators' API keys do not review the AI
    key = await client.post(
        "/api/v1/api-keys", json={"name": "crm"}, headers=await admin(client, runtime)
    )
    api_key_headers = {"Authorization": f"Bearer {key.json()['key']}"}
    assert (await client.get("/api/v1/ai/logs", headers=api_key_headers)).status_code == 403


async def test_auto_replies_answer_instantly_before_any_model(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime, fake: FakeLLM
) -> None:
    headers = await admin(client, runtime)
    url = "/api/v1/ai/auto-replies"
    await add_provider(
        client,
        headers,
        kind="openai",
        name="o",
        model="m",
        base_url=f"{fake.base_url}/v1",
        api_key=fake.key,
    )
    rules: list[dict[str, Any]] = [
        {
            "name": "hours",
            "match": "contains",
            "patterns": ["opening hours", "open on sunday"],
            "response": "We're open 9-5, Monday to Friday.",
            "suggestions": ["Talk to a person"],
        },
        {
            "name": "hello",
            "match": "exact",
            "patterns": ["hi", "hello"],
            "response": "Hello! How can I help?",
        },
        {
            "name": "refund status",
            "match": "keywords",
            "patterns": ["refund", "status"],
            "response": "Refunds show up within 5 business days.",
            "priority": 5,
        },
    ]
    for rule in rules:
        made = await client.post(url, json=rule, headers=headers)
        assert made.status_code == 201, made.text
    bad = await client.post(url, json={**rules[0], "match": "regex"}, headers=headers)
    assert bad.status_code == 422
    empty = await client.post(url, json={**rules[0], "patterns": ["  "]}, headers=headers)
    assert empty.status_code == 422
    assert len((await client.get(url, headers=headers)).json()["items"]) == 3

    async def which(text_: str) -> str | None:
        found = (await client.post(f"{url}/test", json={"text": text_}, headers=headers)).json()
        return found["rule"]["name"] if found["rule"] else None

    assert await which("Hello!") == "hello"
    assert await which("hello, where is my order") is None  # exact means the whole message
    assert await which("What are your OPENING hours?") == "hours"
    assert await which("reopening hoursly") is None  # partial, but on word boundaries
    assert await which("status of my refunds please") == "refund status"
    assert await which("my refund") is None  # every keyword must appear

    v, conversation_id, bot = await ask(server.base_url, "Are you open on Sunday?")
    try:
        assert bot["text"] == "We're open 9-5, Monday to Friday."
        assert bot["source"] == "auto_reply" and bot["suggestions"] == ["Talk to a person"]
        assert fake.requests == []  # no model was asked
        [entry] = await logs_of(runtime, conversation_id)
        assert entry.response_type == "auto_reply" and entry.confidence == 1.0
        assert entry.provider_name == "hours"
    finally:
        await v.disconnect()

    rule_id = (await client.get(url, headers=headers)).json()["items"][0]["id"]
    off = await client.patch(f"{url}/{rule_id}", json={"enabled": False}, headers=headers)
    assert off.status_code == 200 and off.json()["enabled"] is False
    assert (await client.delete(f"{url}/{rule_id}", headers=headers)).status_code == 204
    assert (await client.get(f"{url}/{rule_id}", headers=headers)).status_code == 404


async def test_health_check_sends_one_tiny_request_and_records_it(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime, fake: FakeLLM
) -> None:
    headers = await admin(client, runtime)
    provider = await add_provider(
        client,
        headers,
        kind="gemini",
        name="g",
        model="gemini-fake",
        base_url=fake.base_url,
        api_key=fake.key,
        enabled=False,  # a disabled provider can be checked before it is switched on
    )
    url = f"/api/v1/ai/providers/{provider['id']}/check"
    fake.script = Script(tokens=["OK"])
    ok = await client.post(url, headers=headers)
    assert ok.status_code == 200, ok.text
    body = ok.json()
    assert body["ok"] is True and body["error"] is None and body["reply"] == "OK"
    assert body["first_token_ms"] is not None and body["health"]["state"] == "closed"
    assert body["health"]["last_success_at"] is not None
    assert "ping" in str(fake.requests[-1].body)

    fake.script = Script(mode="error500")
    failed = (await client.post(url, headers=headers)).json()
    assert failed["ok"] is False and failed["error"] == "server_error (500)"
    assert failed["health"]["consecutive_failures"] == 1
    stored = (await client.get(f"/api/v1/ai/providers/{provider['id']}", headers=headers)).json()
    assert stored["health"]["last_error"] == "server_error (500)"

    _, agent_headers = await user_headers(client, runtime, role="agent")
    assert (await client.post(url, headers=agent_headers)).status_code == 403
    missing = await client.post(f"/api/v1/ai/providers/{uuid.uuid4()}/check", headers=headers)
    assert missing.status_code == 404
