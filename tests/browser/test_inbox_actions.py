"""Suggested actions in the inbox (real Chromium, live api, the OpenAI fake, a real Socket.IO
visitor): the AI proposes cancelling an order; the agent sees the proposal with its
arguments in the conversation panel, approves it, and sees its result; it ran once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from playwright.async_api import expect

from baton.runtime import Runtime
from tests.ai.fakes import FakeLLM, Script
from tests.ai.helpers import admin
from tests.browser.conftest import artifact
from tests.browser.test_inbox import _bundle, sign_in, start_visitor
from tests.factories import make_user
from tests.support import LiveServer
from tests.tools.helpers import audit_count, demo_order, seed_demo, use_fake

pytestmark = pytest.mark.browser
__all__ = ["_bundle"]  # the fixture, used by name
SLOW = 15_000


@pytest.fixture
async def fake() -> AsyncIterator[FakeLLM]:
    server = await FakeLLM(key="sk-browser-tools-000").start()
    yield server
    await server.stop()


async def test_agent_approves_a_proposed_action_and_sees_its_result(
    page: Any, server: LiveServer, client: httpx.AsyncClient, runtime: Runtime, fake: FakeLLM
) -> None:
    await seed_demo(runtime)
    await use_fake(client, await admin(client, runtime), "openai", fake)
    fake.queue = [
        Script(tokens=[], calls=[("get_order_status", {"order_number": "1001"})]),
        Script(
            tokens=["Order 1001 is still processing."],
            calls=[("cancel_order", {"order_number": "1001", "reason": "ordered twice"})],
        ),
        Script(tokens=[" I've asked a colleague to approve the cancellation."]),
    ]
    agent = await make_user(runtime, role="agent", name="Dana", presence="online")
    await sign_in(page, agent.email)
    visitor, conversation_id = await start_visitor(
        server.base_url, "Maria Visitor", "Please cancel order 1001, I ordered twice"
    )
    try:
        bot = await visitor.wait_for("bot_message")
        assert "approve the cancellation" in bot["text"]
        await page.get_by_role("tab", name="Unassigned").click()
        await page.locator(f'a[data-conversation-id="{conversation_id}"]').click()
        panel = page.get_by_test_id("actions")
        await expect(panel).to_be_visible(timeout=SLOW)
        looked_up = panel.get_by_test_id("action").filter(has_text="get_order_status")
        await expect(looked_up).to_have_attribute("data-status", "done")
        proposal = panel.get_by_test_id("action").filter(has_text="cancel_order")
        await expect(proposal).to_have_attribute("data-status", "proposed")
        await expect(proposal).to_contain_text("Waiting for approval")
        await expect(proposal.get_by_label("Arguments")).to_contain_text('"order_number": "1001"')
        await expect(proposal.get_by_label("Arguments")).to_contain_text("ordered twice")
        assert (await demo_order(runtime, "1001"))["status"] == "processing"

        await proposal.get_by_role("button", name="Approve").click()
        await expect(proposal).to_have_attribute("data-status", "done", timeout=SLOW)
        await expect(proposal.get_by_test_id("action-result")).to_contain_text('"cancelled"')
        await expect(proposal).to_contain_text("Approved by Dana")
        await expect(proposal.get_by_role("button", name="Approve")).to_have_count(0)
        await page.screenshot(path=str(artifact("inbox-actions.png")))
        assert (await demo_order(runtime, "1001"))["status"] == "cancelled"
        assert await audit_count(runtime, "actions.done") == 2  # the lookup, and the cancel once
    finally:
        await visitor.disconnect()
