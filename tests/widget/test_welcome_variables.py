"""The welcome message's variables are filled for each new widget session, never sent as
written: the visitor's own values, else the fallback (or nothing, cleanly)."""

from __future__ import annotations

import httpx

from baton.canned.variables import fill
from baton.runtime import Runtime
from tests.conversations.helpers import visitor
from tests.factories import user_headers
from tests.support import LiveServer

TEMPLATE = "Hi {{visitor.name}}! We will write to {{ visitor.email | your inbox }}."


def test_a_placeholder_names_its_own_fallback_or_drops_cleanly() -> None:
    assert fill("Hi {{visitor.name | friend}}!", {}) == "Hi friend!"
    assert fill("Hi {{visitor.name |}}!", {}) == "Hi!"
    assert fill("Hi {{visitor.name|}}, welcome", {}) == "Hi, welcome"
    assert fill("{{visitor.name|}} welcome back", {}) == "welcome back"
    assert fill("Hi {{visitor.name|friend}}!", {"visitor.name": "Vera"}) == "Hi Vera!"
    assert fill("Hi {{order.id | x}}", {}) == "Hi {{order.id | x}}"  # unknown: as written


async def test_welcome_is_filled_for_each_new_widget_session(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    _, admin = await user_headers(client, runtime, role="admin")
    saved = await client.patch(
        "/api/v1/widget/settings", json={"welcome_message": TEMPLATE}, headers=admin
    )
    assert saved.status_code == 200, saved.text
    assert saved.json()["welcome_message"] == TEMPLATE  # the admin edits the template

    # before a session the widget knows nobody: fallbacks only
    config = (await client.get("/api/v1/widget/config")).json()
    assert config["welcome_message"] == "Hi there! We will write to your inbox."

    known, start = await visitor(
        server.base_url, visitor={"name": "Vera", "email": "vera@example.com"}
    )
    anonymous, anonymous_start = await visitor(server.base_url)
    try:
        assert start["welcome"] == "Hi Vera! We will write to vera@example.com."
        assert anonymous_start["welcome"] == "Hi there! We will write to your inbox."
        assert "{{" not in start["welcome"] + anonymous_start["welcome"]
    finally:
        await known.disconnect()
        await anonymous.disconnect()

    await client.patch(
        "/api/v1/widget/settings",
        json={"welcome_message": "Welcome {{visitor.name|}}, ask away."},
        headers=admin,
    )
    again, bare = await visitor(server.base_url)
    try:
        assert bare["welcome"] == "Welcome, ask away."
    finally:
        await again.disconnect()
