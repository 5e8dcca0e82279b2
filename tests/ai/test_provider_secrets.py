"""Provider keys stay bound to their endpoint, and the server refuses internal targets
(review M5): moving base_url needs the key again; checks never reach internal addresses."""

from __future__ import annotations

import dataclasses

import httpx
import pytest

from baton.kit.outbound import OutboundRefused, check_outbound_url
from baton.runtime import Runtime
from tests.ai.fakes import FakeLLM
from tests.ai.helpers import add_provider, admin, base_url_for


async def test_moving_base_url_needs_the_key_again(
    client: httpx.AsyncClient, runtime: Runtime, fake: FakeLLM, backup: FakeLLM
) -> None:
    headers = await admin(client, runtime)
    provider = await add_provider(
        client,
        headers,
        kind="openai",
        name="p",
        base_url=base_url_for("openai", fake.base_url),
        api_key=fake.key,
        enabled=False,
    )
    url = f"/api/v1/ai/providers/{provider['id']}"
    elsewhere = base_url_for("openai", backup.base_url)
    moved = await client.patch(url, json={"base_url": elsewhere}, headers=headers)
    assert moved.status_code == 422 and moved.json()["error"] == "api_key_required"
    assert (await client.get(url, headers=headers)).json()["base_url"] == provider["base_url"]
    # the check still goes to the original endpoint only
    await client.post(f"{url}/check", headers=headers)
    assert backup.requests == []
    assert fake.requests and all(
        {k.lower(): v for k, v in r.headers.items()}.get("authorization") == f"Bearer {fake.key}"
        for r in fake.requests
    )

    with_key = await client.patch(
        url, json={"base_url": elsewhere, "api_key": backup.key}, headers=headers
    )
    assert with_key.status_code == 200 and with_key.json()["has_api_key"]
    dropped = await client.patch(
        url,
        json={"base_url": base_url_for("openai", fake.base_url), "api_key": None},
        headers=headers,
    )
    assert dropped.status_code == 200 and dropped.json()["has_api_key"] is False
    # other fields change without the key
    renamed = await client.patch(url, json={"name": "renamed"}, headers=headers)
    assert renamed.status_code == 200


async def test_internal_targets_are_refused_unless_allowed(
    client: httpx.AsyncClient, runtime: Runtime, fake: FakeLLM, monkeypatch: pytest.MonkeyPatch
) -> None:
    headers = await admin(client, runtime)
    provider = await add_provider(
        client,
        headers,
        kind="openai",
        name="p",
        base_url=base_url_for("openai", fake.base_url),
        api_key=fake.key,
        enabled=False,
    )
    # a deployment without the tests' loopback allowance
    monkeypatch.setattr(
        runtime, "settings", dataclasses.replace(runtime.settings, outbound_allow=())
    )
    for target in (
        fake.base_url + "/v1",
        "http://localhost:9/v1",
        "http://10.1.2.3/v1",
        "http://169.254.169.254/latest",
        "http://[::1]:8080/v1",
        "http://[::ffff:127.0.0.1]/v1",
        "http://metadata.google.internal/v1",
        "http://user:pw@example.com/v1",
    ):
        response = await client.post(
            "/api/v1/ai/providers",
            json={"kind": "openai", "name": "x", "base_url": target, "enabled": False},
            headers=headers,
        )
        assert response.status_code == 422, (target, response.text)
        assert response.json()["error"] == "outbound_refused", target
    before = len(fake.requests)
    check = await client.post(f"/api/v1/ai/providers/{provider['id']}/check", headers=headers)
    assert check.status_code == 422 and check.json()["error"] == "outbound_refused"
    assert len(fake.requests) == before  # nothing was sent
    listed = (await client.get("/api/v1/ai/providers", headers=headers)).json()["items"]
    assert [p["id"] for p in listed] == [provider["id"]]


async def test_outbound_guard_rules() -> None:
    await check_outbound_url("https://93.184.215.14/v1")  # a public literal: no DNS needed
    for url in ("http://127.0.0.1/", "http://192.168.1.10/", "http://100.64.0.1/", "ftp://x/"):
        with pytest.raises(OutboundRefused):
            await check_outbound_url(url)
    await check_outbound_url("http://10.0.5.7:11434/", allow=["10.0.5.0/24"])
    await check_outbound_url("http://ollama:11434/", allow=["ollama"])
    await check_outbound_url("http://192.168.1.10/", allow_private=True)
    with pytest.raises(OutboundRefused):
        await check_outbound_url("http://10.0.6.1/", allow=["10.0.5.0/24"])
    with pytest.raises(OutboundRefused):
        await check_outbound_url("http://no-such-host.invalid/")
