"""CSAT: a resolved conversation asks for a rating; one 1-5 rating per conversation, from
the visitor who owns it; it reaches the inbox, analytics, webhooks; the ticket survey."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import func, select

from baton.analytics import rollups
from baton.analytics.models import ReportingEvent
from baton.csat.models import CsatResponse
from baton.runtime import Runtime
from tests.conversations.helpers import agent, cid, visitor
from tests.factories import user_headers
from tests.mail.fake_resend import FakeResend
from tests.realtime.clients import barrier
from tests.support import LiveServer
from tests.tickets.helpers import delivered_to, submit
from tests.webhooks.receiver import Receiver


async def _ratings(runtime: Runtime) -> int:
    async with runtime.db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(CsatResponse)) or 0)


async def _overview(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    today = datetime.now(UTC).date().isoformat()
    r = await client.get(
        "/api/v1/analytics/overview", params={"from": today, "to": today}, headers=headers
    )
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def test_a_resolved_conversation_asks_and_takes_one_rating(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    _, admin = await user_headers(client, runtime, "admin")
    dana, _, _ = await agent(server.base_url, client, runtime)
    v, start = await visitor(server.base_url)
    other, _ = await visitor(server.base_url)
    conversation_id = start["conversation_id"]
    try:
        await v.call("user_message", {"client_id": cid(), "text": "Where is parcel 12?"})
        early = await v.call("csat", {"rating": 5})
        assert early["error"] == "not_resolved"
        assert (await v.call("csat_status"))["pending"] is False

        resolved = await client.post(
            f"/api/v1/conversations/{conversation_id}/resolve", headers=admin
        )
        assert resolved.status_code == 200, resolved.text
        asked = await v.wait_for("csat_request")
        assert asked["conversation_id"] == conversation_id
        assert asked["question"] and asked["delay_seconds"] == 3
        status = await v.call("csat_status")
        assert status["pending"] is True and status["conversation_id"] == conversation_id

        await dana.call("join_session", {"conversation_id": conversation_id})
        for bad in (9, 0, "5", 4.5, None, True):
            refused = await v.call("csat", {"rating": bad})
            assert refused["error"] == "invalid_rating", (bad, refused)
        too_long = await v.call("csat", {"rating": 5, "comment": "x" * 1001})
        assert too_long["error"] == "invalid_comment"
        # another visitor cannot rate a conversation that is not theirs
        theirs = await other.call("csat", {"rating": 1, "conversation_id": conversation_id})
        assert theirs["error"] == "not_found"
        assert await _ratings(runtime) == 0

        ok = await v.call("csat", {"rating": 5, "comment": "  Quick and kind  "})
        assert ok == {"ok": True, "conversation_id": conversation_id, "rating": 5}
        seen = await dana.wait_for("csat_submitted")
        assert seen["rating"] == 5 and seen["comment"] == "Quick and kind"
        again = await v.call("csat", {"rating": 1})
        assert again["error"] == "already_rated"
        assert (await v.call("csat_status"))["pending"] is False
        await barrier(runtime, v, dana)
    finally:
        for c in (v, other, dana):
            await c.disconnect()
    assert await _ratings(runtime) == 1

    shown = await client.get(f"/api/v1/conversations/{conversation_id}/csat", headers=admin)
    assert shown.status_code == 200
    rating = shown.json()["rating"]
    assert rating["rating"] == 5 and rating["channel"] == "widget"
    assert rating["comment"] == "Quick and kind"
    _, agent_h = await user_headers(client, runtime, "agent")
    missing = await client.get(f"/api/v1/conversations/{cid()[:8]}/csat", headers=agent_h)
    assert missing.status_code in (400, 404)

    figures = await _overview(client, admin)
    assert figures["csat_responses"] == 1 and figures["csat_average"] == 5.0
    # the rollup stores the rating as a csat_given fact; the figures stay the same
    async with runtime.db.session() as session:
        await rollups.run_incremental(session, now=datetime.now(UTC) + timedelta(hours=1))
        await session.commit()
        stored = (
            await session.scalars(
                select(ReportingEvent.value).where(ReportingEvent.kind == "csat_given")
            )
        ).all()
    assert stored == [5.0]
    figures = await _overview(client, admin)
    assert figures["csat_responses"] == 1 and figures["csat_average"] == 5.0


async def test_the_survey_follows_the_settings(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    _, admin = await user_headers(client, runtime, "admin")
    for bad in (
        {"csat_delay_seconds": 9999},
        {"csat_question": ""},
        {"csat_question": "x" * 201},
        {"csat_enabled": "yes"},
    ):
        r = await client.patch("/api/v1/widget/settings", json=bad, headers=admin)
        assert r.status_code in (400, 422), (bad, r.text)
    r = await client.patch(
        "/api/v1/widget/settings",
        json={"csat_question": "Did we help?", "csat_delay_seconds": 0},
        headers=admin,
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["csat_question"] == "Did we help?" and body["csat_delay_seconds"] == 0
    assert body["csat_enabled"] is True

    v, start = await visitor(server.base_url)
    try:
        await v.call("user_message", {"client_id": cid(), "text": "hello"})
        await client.post(
            f"/api/v1/conversations/{start['conversation_id']}/resolve", headers=admin
        )
        asked = await v.wait_for("csat_request")
        assert asked["question"] == "Did we help?" and asked["delay_seconds"] == 0
    finally:
        await v.disconnect()

    off = await client.patch("/api/v1/widget/settings", json={"csat_enabled": False}, headers=admin)
    assert off.status_code == 200 and off.json()["csat_enabled"] is False
    v, start = await visitor(server.base_url)
    try:
        await v.call("user_message", {"client_id": cid(), "text": "hello again"})
        await client.post(
            f"/api/v1/conversations/{start['conversation_id']}/resolve", headers=admin
        )
        await v.wait_for("status_changed", lambda d: d["status"] == "resolved")
        await barrier(runtime, v)
        assert "csat_request" not in v.received
        refused = await v.call("csat", {"rating": 4})
        assert refused["error"] == "csat_disabled"
    finally:
        await v.disconnect()
    assert await _ratings(runtime) == 0


async def test_a_rating_is_sent_as_a_webhook(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    receiver = await Receiver().start()
    try:
        _, admin = await user_headers(client, runtime, "admin")
        made = await client.post(
            "/api/v1/webhooks",
            json={"url": receiver.url, "events": ["csat.submitted"]},
            headers=admin,
        )
        assert made.status_code == 201, made.text
        v, start = await visitor(server.base_url)
        try:
            await v.call("user_message", {"client_id": cid(), "text": "hi"})
            await client.post(
                f"/api/v1/conversations/{start['conversation_id']}/resolve", headers=admin
            )
            await v.wait_for("csat_request")
            assert (await v.call("csat", {"rating": 4, "comment": "fine"}))["ok"] is True
        finally:
            await v.disconnect()
        await receiver.wait_for(lambda r: len(r.accepted()) >= 1)
    finally:
        await receiver.stop()
    [hit] = receiver.accepted()
    assert hit.headers["X-Baton-Event"] == "csat.submitted"
    payload = json.loads(hit.body)
    assert payload["event"] == "csat.submitted" and payload["version"] == 1
    assert payload["data"]["conversation_id"] == start["conversation_id"]
    assert payload["data"]["rating"] == 4 and payload["data"]["comment"] == "fine"
    assert payload["data"]["channel"] == "widget"


async def test_a_resolved_ticket_emails_a_survey_that_records_once(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime, resend_fake: FakeResend
) -> None:
    _, admin = await user_headers(client, runtime, "admin")
    created = await submit(client, email="grace@example.com", name="Grace")
    assert created.status_code == 201, created.text
    ticket = created.json()
    done = await client.post(f"/api/v1/tickets/{ticket['id']}/resolve", headers=admin)
    assert done.status_code == 200, done.text

    async def surveyed() -> Any:
        mails = await delivered_to(resend_fake, "grace@example.com", 1)
        return [m for m in mails if m.body["subject"].startswith("Resolved:")] or None

    from tests.support import wait_for

    [mail] = await wait_for(surveyed, timeout=20)
    # the survey rides in the one "Resolved" email: five links, in the text and the HTML
    links = re.findall(r"/api/v1/csat/survey/[^\s?\"]+\?rating=\d", mail.body["text"])
    assert len(links) == 5 and links[4].endswith("rating=5")
    assert mail.body["html"].count("/api/v1/csat/survey/") == 5
    assert not [
        m
        for m in resend_fake.to("grace@example.com")
        if m.body["subject"].startswith("How did we do?")
    ]
    path = links[3].split("?")[0]

    page = await client.get(links[3])
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert 'value="4" required checked' in page.text
    assert await _ratings(runtime) == 0  # opening the link records nothing

    forged = path[:-4] + ("0000" if not path.endswith("0000") else "1111")
    assert (await client.post(forged, data={"rating": "4"})).status_code == 403
    assert (await client.get("/api/v1/csat/survey/not-a-link")).status_code == 404
    assert (await client.post(path, data={"rating": "9"})).status_code == 422
    assert await _ratings(runtime) == 0
    first = await client.post(path, data={"rating": "4", "comment": "Solved fast"})
    assert first.status_code == 200 and "recorded" in first.text
    second = await client.post(path, data={"rating": "1"})
    assert second.status_code == 409 and "rated already" in second.text
    assert await _ratings(runtime) == 1

    detail = await client.get(f"/api/v1/tickets/{ticket['id']}", headers=admin)
    conversation_id = detail.json()["conversation_id"]
    shown = (
        await client.get(f"/api/v1/conversations/{conversation_id}/csat", headers=admin)
    ).json()["rating"]
    assert shown["rating"] == 4 and shown["channel"] == "email"
    assert shown["comment"] == "Solved fast"
