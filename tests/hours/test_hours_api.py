"""Business hours through the API: validation changes nothing, changes are audited, the
widget config says whether anyone answers, and request_agent outside hours queues nobody
while the AI keeps answering."""

from __future__ import annotations

from typing import Any

import httpx

from baton.knowledge.seed import seed as seed_knowledge
from baton.runtime import Runtime
from tests.ai.helpers import ask
from tests.conversations.helpers import agent, visitor
from tests.factories import user_headers
from tests.support import LiveServer

CLOSED_ALL_WEEK: dict[str, Any] = {
    "timezone": "Europe/Berlin",
    "weekly": {"mon": [{"start": "09:00", "end": "17:30"}]},
    "holidays": [],
    "override": "closed",
}


async def test_bad_input_is_a_clear_4xx_and_changes_nothing(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    _, admin = await user_headers(client, runtime, "admin")
    before = (await client.get("/api/v1/business-hours", headers=admin)).json()
    bad = [
        ({**CLOSED_ALL_WEEK, "timezone": "Mars/Olympus"}, "invalid_timezone"),
        (
            {**CLOSED_ALL_WEEK, "weekly": {"tue": [{"start": "17:00", "end": "09:00"}]}},
            "invalid_interval",
        ),
        (
            {
                **CLOSED_ALL_WEEK,
                "weekly": {
                    "wed": [{"start": "09:00", "end": "12:00"}, {"start": "11:00", "end": "13:00"}]
                },
            },
            "overlapping_intervals",
        ),
        ({**CLOSED_ALL_WEEK, "override": "sometimes"}, None),
        ({**CLOSED_ALL_WEEK, "weekly": {"mon": [{"start": "25:00", "end": "26:00"}]}}, None),
        (
            {**CLOSED_ALL_WEEK, "holidays": [{"date": "2026-12-25"}, {"date": "2026-12-25"}]},
            "duplicate_holiday",
        ),
    ]
    for body, code in bad:
        r = await client.put("/api/v1/business-hours", json=body, headers=admin)
        assert 400 <= r.status_code < 500, (body, r.text)
        if code:
            assert r.json()["error"] == code, r.json()
    after = (await client.get("/api/v1/business-hours", headers=admin)).json()
    assert {k: after[k] for k in ("timezone", "weekly", "holidays", "override")} == {
        k: before[k] for k in ("timezone", "weekly", "holidays", "override")
    }
    audit = (await client.get("/api/v1/audit?action=business_hours.*", headers=admin)).json()
    assert audit["items"] == []
    # agents may read, not write
    _, agent_headers = await user_headers(client, runtime, "agent")
    r = await client.put("/api/v1/business-hours", json=CLOSED_ALL_WEEK, headers=agent_headers)
    assert r.status_code == 403


async def test_a_change_is_saved_audited_and_previewed(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    _, admin = await user_headers(client, runtime, "admin")
    body: dict[str, Any] = {
        "timezone": "America/New_York",
        "weekly": {"mon": [{"start": "13:00", "end": "17:00"}, {"start": "09:00", "end": "12:00"}]},
        "holidays": [{"date": "2026-12-25", "name": "Christmas"}],
        "override": None,
        "wait_limit_seconds": 300,
    }
    r = await client.put("/api/v1/business-hours", json=body, headers=admin)
    assert r.status_code == 200, r.text
    saved = r.json()
    assert saved["timezone"] == "America/New_York"
    assert saved["weekly"]["mon"] == body["weekly"]["mon"]
    assert saved["weekly"]["sun"] == []
    assert saved["holidays"] == [{"date": "2026-12-25", "name": "Christmas"}]
    assert len(saved["preview"]) == 7
    # a read-modify-write round trip (with the output-only fields) is accepted
    again = await client.put("/api/v1/business-hours", json=saved, headers=admin)
    assert again.status_code == 200, again.text
    audit = (await client.get("/api/v1/audit?action=business_hours.*", headers=admin)).json()
    assert len(audit["items"]) == 1  # the unchanged second save writes no entry
    assert audit["items"][0]["action"] == "business_hours.updated"
    assert "timezone" in audit["items"][0]["changes"]


async def test_closed_hours_make_request_agent_offline_while_the_ai_answers(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    async with runtime.db.session() as session:
        await seed_knowledge(session)
        await session.commit()
    _, admin = await user_headers(client, runtime, "admin")
    open_config = (await client.get("/api/v1/widget/config")).json()
    assert open_config["online"] is True and open_config["next_open_at"] is None
    body = {**CLOSED_ALL_WEEK, "override": None, "weekly": {}}  # never open
    body["holidays"] = []
    r = await client.put(
        "/api/v1/business-hours",
        json={
            **body,
            "weekly": {"mon": [{"start": "09:00", "end": "10:00"}]},
            "override": "closed",
        },
        headers=admin,
    )
    assert r.status_code == 200
    dana, _, _ = await agent(server.base_url, client, runtime)
    config = (await client.get("/api/v1/widget/config")).json()
    assert config["online"] is False and config["agents_online"] is True
    # a schedule (no override) closed right now carries the next opening
    r = await client.put(
        "/api/v1/business-hours",
        json={**body, "weekly": {"mon": [{"start": "00:00", "end": "00:01"}]}},
        headers=admin,
    )
    scheduled = (await client.get("/api/v1/widget/config")).json()
    if not scheduled["online"]:
        assert scheduled["next_open_at"] is not None
    await client.put("/api/v1/business-hours", json=CLOSED_ALL_WEEK, headers=admin)

    v, start = await visitor(server.base_url)
    try:
        ack = await v.call("request_agent", {})
        assert ack["offline"] is True and ack["status"] == "bot", ack
        assert "next_open_at" in ack
        r = await client.get(f"/api/v1/conversations/{start['conversation_id']}", headers=admin)
        assert r.json()["status"] == "bot"
        # nobody was offered the conversation
        assert not [n for n in dana.received.get("new_notification", []) if n["kind"] == "offer"]
        # the AI keeps answering
        _, _, bot = await ask(
            server.base_url, "How do I return an item?", client=_as_asker(v, start)
        )
        assert "return" in bot["text"].lower()
    finally:
        await v.disconnect()
        await dana.disconnect()


def _as_asker(v: Any, start: dict[str, Any]) -> Any:
    v.conversation_id = start["conversation_id"]
    return v
