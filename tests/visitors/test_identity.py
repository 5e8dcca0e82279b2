"""Identity verification: a site proves who its visitor is with an HMAC of their id; a wrong
hash is refused; a verified visitor is one visitor across devices and reads their past
conversations. Visitor fields are validated."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from sqlalchemy import func, select

from baton.runtime import Runtime
from baton.visitors.models import Visitor
from tests.conversations.helpers import cid, visitor
from tests.factories import user_headers
from tests.realtime.clients import RecordingClient
from tests.support import LiveServer


def sign(secret: str, external_id: str) -> str:
    return hmac.new(secret.encode(), external_id.encode(), hashlib.sha256).hexdigest()


async def _visitors(runtime: Runtime) -> int:
    async with runtime.db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(Visitor)) or 0)


async def _turn_on(client: Any, headers: dict[str, str]) -> str:
    secret = (await client.get("/api/v1/widget/identity-secret", headers=headers)).json()
    assert secret["identity_verification"] is False and len(secret["secret"]) >= 32
    on = await client.patch(
        "/api/v1/widget/settings", json={"identity_verification": True}, headers=headers
    )
    assert on.status_code == 200 and on.json()["identity_verification"] is True
    again = (await client.get("/api/v1/widget/identity-secret", headers=headers)).json()
    assert again == {"secret": secret["secret"], "identity_verification": True}
    return str(secret["secret"])


async def test_verified_visitor_across_devices(
    server: LiveServer, client: Any, runtime: Runtime
) -> None:
    _, admin = await user_headers(client, runtime, "admin")
    secret = await _turn_on(client, admin)
    who = {"external_id": "customer-42", "name": "Ines"}
    laptop, first = await visitor(
        server.base_url, visitor=who, identity_hash=sign(secret, "customer-42")
    )
    phone: RecordingClient | None = None
    try:
        assert first["verified"] is True and first["past_conversations"] == []
        await laptop.call("user_message", {"client_id": cid(), "text": "where is order 9?"})
        phone, second = await visitor(
            server.base_url, visitor=who, identity_hash=sign(secret, "customer-42")
        )
        assert second["verified"] is True and second["visitor_id"] == first["visitor_id"]
        assert [c["id"] for c in second["past_conversations"]] == [first["conversation_id"]]
        old = await phone.call("history", {"conversation_id": first["conversation_id"]})
        assert [m["text"] for m in old["messages"] if m["sender"] == "visitor"] == [
            "where is order 9?"
        ]

        # a wrong hash is refused and creates nothing
        before = await _visitors(runtime)
        forged = RecordingClient("/widget")
        await forged.connect(server.base_url)
        refused = await forged.call(
            "start_session", {"visitor": who, "identity_hash": sign("guess", "customer-42")}
        )
        assert refused["error"] == "identity_invalid"
        accented = await forged.call("start_session", {"visitor": who, "identity_hash": "é" * 64})
        assert accented["error"] == "identity_invalid"  # not an internal error
        no_hash = await forged.call("start_session", {"visitor": who})
        assert no_hash["error"] == "identity_invalid"
        assert await _visitors(runtime) == before
        # an unverified visitor cannot read anyone's history
        anon = await forged.call("start_session", {})
        assert anon["verified"] is False
        peek = await forged.call("history", {"conversation_id": first["conversation_id"]})
        assert peek["error"] == "not_found"
        await forged.disconnect()

        # rotating the secret retires the old hashes at once
        rotated = await client.post("/api/v1/widget/identity-secret/rotate", headers=admin)
        assert rotated.status_code == 200 and rotated.json()["secret"] != secret
        late = RecordingClient("/widget")
        await late.connect(server.base_url)
        stale = await late.call(
            "start_session", {"visitor": who, "identity_hash": sign(secret, "customer-42")}
        )
        assert stale["error"] == "identity_invalid"
        await late.disconnect()
        audit = await client.get(
            "/api/v1/audit", params={"action": "widget.identity_secret_rotated"}, headers=admin
        )
        assert len(audit.json()["items"]) == 1
    finally:
        await laptop.disconnect()
        if phone is not None:
            await phone.disconnect()


async def test_without_verification_an_external_id_links_nothing(
    server: LiveServer, client: Any, runtime: Runtime
) -> None:
    one, a = await visitor(server.base_url, visitor={"external_id": "x-1"})
    two, b = await visitor(server.base_url, visitor={"external_id": "x-1"})
    try:
        assert a["verified"] is False and b["verified"] is False
        assert a["visitor_id"] != b["visitor_id"] and b["past_conversations"] == []
    finally:
        await one.disconnect()
        await two.disconnect()


async def test_visitor_fields_are_validated(server: LiveServer) -> None:
    v = RecordingClient("/widget")
    await v.connect(server.base_url)
    try:
        bad_url = await v.call("start_session", {"visitor": {"page_url": "javascript:alert(1)"}})
        assert bad_url["error"] == "validation_error"
        bad_email = await v.call("start_session", {"visitor": {"email": "<script>@x"}})
        assert bad_email["error"] == "validation_error"
        ok = await v.call("start_session", {"visitor": {"email": "Ana@Example.com"}})
        assert "error" not in ok
        page = await v.call("visitor_join", {"page_url": "data:text/html,hi"})
        assert page["error"] == "validation_error"
    finally:
        await v.disconnect()


async def test_an_ended_session_token_starts_a_new_visitor(server: LiveServer) -> None:
    v, first = await visitor(server.base_url, visitor={"name": "Leo"})
    try:
        await v.call("user_message", {"client_id": cid(), "text": "bye"})
        assert (await v.call("end_session", {}))["ok"] is True
        again = await v.call("start_session", {"session_token": first["session_token"]})
        assert again["resumed"] is False and again["visitor_id"] != first["visitor_id"]
    finally:
        await v.disconnect()
