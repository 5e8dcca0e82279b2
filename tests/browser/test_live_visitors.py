"""An agent watches the live list fill and empty as visitors come and go, filters it by page
and starts a chat with one visitor, whose widget socket (and nobody else's) gets it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.async_api import expect

from baton.runtime import Runtime
from tests.browser.conftest import require_bundle
from tests.browser.test_inbox import sign_in
from tests.factories import make_user
from tests.realtime.clients import RecordingClient
from tests.support import LiveServer

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _bundle() -> None:
    require_bundle("apps/admin_web/dist")


async def _visitor(base_url: str, name: str, page_url: str, title: str) -> RecordingClient:
    v = RecordingClient("/widget")
    await v.connect(base_url)
    start = await v.call(
        "start_session", {"visitor": {"name": name, "page_url": page_url, "page_title": title}}
    )
    assert "error" not in start, start
    v.conversation_id = start["conversation_id"]  # type: ignore[attr-defined]
    return v


async def test_agent_starts_a_chat_from_the_live_list(
    page: Any, server: LiveServer, runtime: Runtime
) -> None:
    agent = await make_user(runtime, role="agent", name="Dana", presence="online")
    await sign_in(page, agent.email)
    await page.get_by_role("link", name="Visitors", exact=True).click()
    await expect(page.get_by_text("Nobody on the site right now")).to_be_visible()

    ana = await _visitor(server.base_url, "Ana Lima", "https://shop.test/pricing", "Pricing")
    ben = await _visitor(server.base_url, "Ben Ode", "https://shop.test/blog", "Blog")
    try:
        rows = page.get_by_test_id("live-visitor")
        await expect(rows).to_have_count(2)  # arrived live (visitor_joined), no reload
        await page.get_by_label("Filter by page").fill("pricing")
        await expect(rows).to_have_count(1)
        await expect(rows.first).to_contain_text("Ana Lima")
        await page.get_by_label("Filter by page").fill("")
        await page.get_by_role("button", name="Name").click()
        await expect(rows.first).to_contain_text("Ana Lima")

        # Ben leaves: his row goes without a reload
        await ben.disconnect()
        await expect(rows).to_have_count(1)

        row = rows.filter(has_text="Ana Lima")
        await row.get_by_role("button", name="Start chat").click()
        await page.get_by_label("First message").fill("Hi Ana, any questions about pricing?")
        await page.get_by_role("button", name="Send and open the chat").click()
        got = await ana.wait_for("agent_initiated_chat")
        assert got["conversation_id"] == ana.conversation_id  # type: ignore[attr-defined]
        assert got["message"]["text"] == "Hi Ana, any questions about pricing?"
        # the agent lands in the conversation, which is theirs
        await expect(page).to_have_url(re.compile(f"#/inbox/mine/{got['conversation_id']}$"))
        await expect(page.get_by_text("Hi Ana, any questions about pricing?").first).to_be_visible()
        assert "agent_initiated_chat" not in ben.received
    finally:
        await ana.disconnect()
        await ben.disconnect()
