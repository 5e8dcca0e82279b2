"""Proactive rules: validated, audited, served with the widget config."""

from __future__ import annotations

import httpx

from baton.runtime import Runtime
from tests.factories import user_headers

RULE = {"url_pattern": "https://shop.test/pricing*", "delay_seconds": 10, "text": "Plans?"}


async def test_rules_are_saved_audited_and_reach_the_widget_config(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    _, admin = await user_headers(client, runtime, "admin")
    assert (await client.get("/api/v1/visitors/proactive-rules", headers=admin)).json() == {
        "rules": []
    }
    r = await client.put("/api/v1/visitors/proactive-rules", json={"rules": [RULE]}, headers=admin)
    assert r.status_code == 200, r.text
    assert (await client.get("/api/v1/widget/config")).json()["proactive_rules"] == [RULE]
    audit = (await client.get("/api/v1/audit?action=visitors.*", headers=admin)).json()
    assert [e["action"] for e in audit["items"]] == ["visitors.rules_updated"]


async def test_bad_rules_are_refused_and_change_nothing(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    _, admin = await user_headers(client, runtime, "admin")
    await client.put("/api/v1/visitors/proactive-rules", json={"rules": [RULE]}, headers=admin)
    for bad in (
        {**RULE, "delay_seconds": -1},
        {**RULE, "delay_seconds": 99999},
        {**RULE, "text": ""},
        {**RULE, "text": "   "},
        {**RULE, "url_pattern": ""},
        {**RULE, "surprise": True},
    ):
        r = await client.put(
            "/api/v1/visitors/proactive-rules", json={"rules": [bad]}, headers=admin
        )
        assert 400 <= r.status_code < 500, (bad, r.text)
    assert (await client.get("/api/v1/visitors/proactive-rules", headers=admin)).json() == {
        "rules": [RULE]
    }
    _, agent = await user_headers(client, runtime, "agent")
    r = await client.put("/api/v1/visitors/proactive-rules", json={"rules": []}, headers=agent)
    assert r.status_code == 403
