"""The waiting tab in real Chromium, served by priority: a waiting visitor who turns angry
moves to the top live (conversation_updated, no reload) with "visitor frustrated" on the row
and in the panel; a calm one keeps their place."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from playwright.async_api import expect

from baton.runtime import Runtime
from tests.browser.conftest import artifact, require_bundle
from tests.browser.test_inbox import sign_in, start_visitor
from tests.conversations.helpers import cid
from tests.factories import make_user
from tests.support import LiveServer

pytestmark = pytest.mark.browser


async def test_an_angry_visitor_moves_up_the_waiting_tab(
    page: Any, server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    require_bundle("apps/admin_web/dist")
    agent = await make_user(runtime, role="agent", name="Dana", presence="online")
    await sign_in(page, agent.email)
    await expect(page.get_by_text("Nobody is waiting")).to_be_visible()  # the list is loaded
    first, first_id = await start_visitor(server.base_url, "Calm Carla", "Where is my parcel?")
    second, second_id = await start_visitor(server.base_url, "Angry Andy", "Where is my parcel?")
    try:
        for v in (first, second):
            assert (await v.call("request_agent", {})).get("status") == "waiting"
        rows = page.locator("a[data-conversation-id]")
        await expect(rows).to_have_count(2)
        await expect(rows.nth(0)).to_have_attribute("data-conversation-id", first_id)
        await expect(page.get_by_test_id("priority")).to_have_count(0)

        await first.call("user_message", {"client_id": cid(), "text": "ok, thanks, I will wait"})
        for text in ["This is unacceptable. I want a refund.", "Terrible. Absolutely terrible."]:
            ack = await second.call("user_message", {"client_id": cid(), "text": text})
            assert "error" not in ack, ack
        top = rows.nth(0)
        await expect(top).to_have_attribute("data-conversation-id", second_id)
        await expect(top.get_by_test_id("priority")).to_have_text("High: visitor frustrated")
        await expect(top).to_contain_text("#1 in queue")
        calm = page.locator(f'a[data-conversation-id="{first_id}"]')
        await expect(calm.get_by_test_id("priority")).to_have_count(0)
        await expect(calm).to_contain_text("#2 in queue")
        await top.click()
        await expect(page.get_by_test_id("panel-priority")).to_have_text("High: visitor frustrated")
        await page.screenshot(path=str(artifact("inbox-priority.png")))
    finally:
        await first.disconnect()
        await second.disconnect()
    assert page.problems == []
