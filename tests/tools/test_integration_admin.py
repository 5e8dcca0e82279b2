"""What the console needs of an HTTP integration: one integration, a write-only secret
(given or generated, replaced, never shown again), a signed trial call of one of its tools,
and its recent errors; bad input is a 422 that changes nothing."""

from __future__ import annotations

import uuid

import httpx

from baton.conversations.models import Conversation
from baton.runtime import Runtime
from baton.tools.models import ToolAction
from baton.visitors.models import Visitor
from tests.ai.helpers import admin
from tests.support import LiveServer
from tests.tools.endpoint import ToolEndpoint
from tests.tools.test_http_integration import LOYALTY, UPGRADE

SECRET = "my-own-secret-0123456789"


async def test_a_given_secret_is_write_only_and_signs_the_trial_call(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime, endpoint: ToolEndpoint
) -> None:
    headers = await admin(client, runtime)
    body = {"name": "Shop", "url": endpoint.url, "tools": [LOYALTY, UPGRADE], "secret": SECRET}
    created = await client.post("/api/v1/tools/integrations", json=body, headers=headers)
    assert created.status_code == 201, created.text
    out = created.json()
    assert out["secret"] is None and out["has_secret"] is True  # a given secret is not echoed
    one = await client.get(f"/api/v1/tools/integrations/{out['id']}", headers=headers)
    assert one.status_code == 200 and SECRET not in one.text
    assert [t["name"] for t in one.json()["tools"]] == ["get_loyalty_points", "upgrade_shipping"]

    endpoint.secret = SECRET
    endpoint.results["get_loyalty_points"] = {"points": 7}
    trial = await client.post(
        f"/api/v1/tools/integrations/{out['id']}/test",
        json={"tool": "get_loyalty_points", "arguments": {"email": "sam@example.com"}},
        headers=headers,
    )
    assert trial.status_code == 200, trial.text
    assert trial.json()["ok"] is True and trial.json()["result"] == {"points": 7}
    [call] = endpoint.calls
    assert call.signature_ok and call.headers["X-Baton-Event"] == "tool.test"
    assert call.json["conversation_id"] is None and call.json["test"] is True

    # replacing the secret: the backend still holding the old one refuses the next call
    patched = await client.patch(
        f"/api/v1/tools/integrations/{out['id']}",
        json={"secret": "a-brand-new-secret-42"},
        headers=headers,
    )
    assert patched.status_code == 200 and "a-brand-new-secret-42" not in patched.text
    failed = await client.post(
        f"/api/v1/tools/integrations/{out['id']}/test",
        json={"tool": "get_loyalty_points", "arguments": {"email": "sam@example.com"}},
        headers=headers,
    )
    assert failed.status_code == 200
    assert failed.json()["ok"] is False and "HTTP 401" in failed.json()["error"]


async def test_bad_input_is_a_422_and_changes_nothing(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime, endpoint: ToolEndpoint
) -> None:
    headers = await admin(client, runtime)
    short = {"name": "Shop", "url": endpoint.url, "tools": [LOYALTY], "secret": "short"}
    refused = await client.post("/api/v1/tools/integrations", json=short, headers=headers)
    assert refused.status_code == 422 and "secret" in refused.json()["detail"]
    created = (
        await client.post(
            "/api/v1/tools/integrations", json={**short, "secret": None}, headers=headers
        )
    ).json()
    base = f"/api/v1/tools/integrations/{created['id']}"
    for body, needle in [
        ({"tool": "nope", "arguments": {}}, "tool"),
        ({"tool": "get_loyalty_points", "arguments": {}}, "arguments"),
        ({"tool": "get_loyalty_points", "arguments": {"email": 5}}, "arguments"),
    ]:
        answer = await client.post(f"{base}/test", json=body, headers=headers)
        assert answer.status_code == 422 and needle in answer.json()["detail"], answer.text
    assert endpoint.calls == []
    bad = await client.patch(base, json={"secret": "x y"}, headers=headers)
    assert bad.status_code == 422
    missing = await client.get(f"/api/v1/tools/integrations/{uuid.uuid4()}", headers=headers)
    assert missing.status_code == 404


async def test_recent_errors_are_its_tools_failed_calls(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime, endpoint: ToolEndpoint
) -> None:
    headers = await admin(client, runtime)
    created = (
        await client.post(
            "/api/v1/tools/integrations",
            json={"name": "Shop", "url": endpoint.url, "tools": [LOYALTY]},
            headers=headers,
        )
    ).json()
    async with runtime.db.session() as session:
        visitor = Visitor(name="Sam")
        session.add(visitor)
        await session.flush()
        conversation = Conversation(visitor_id=visitor.id)
        session.add(conversation)
        await session.flush()
        for tool, status, error in [
            ("get_loyalty_points", "failed", "the tool endpoint answered HTTP 500: down"),
            ("get_loyalty_points", "done", None),
            ("get_order_status", "failed", "another integration's tool"),
        ]:
            session.add(
                ToolAction(
                    conversation_id=conversation.id,
                    tool=tool,
                    source="http",
                    policy="auto",
                    arguments={},
                    status=status,
                    error=error,
                )
            )
        await session.commit()
    errors = await client.get(f"/api/v1/tools/integrations/{created['id']}/errors", headers=headers)
    assert errors.status_code == 200, errors.text
    [only] = errors.json()["items"]
    assert (only["tool"], only["error"]) == (
        "get_loyalty_points",
        "the tool endpoint answered HTTP 500: down",
    )
    assert only["conversation_id"] == str(conversation.id)
