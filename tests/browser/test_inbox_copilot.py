"""The copilot in the inbox (real Chromium, live api, a real Socket.IO visitor): the summary
made on handoff, a suggested reply with a citation the agent can open, put into the composer,
edited and sent; the visitor's mood from message sentiment."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from playwright.async_api import expect

from baton.knowledge.seed import seed as seed_knowledge
from baton.runtime import Runtime
from tests.ai.helpers import logs_of
from tests.browser.conftest import artifact
from tests.browser.test_inbox import _bundle, sign_in, start_visitor
from tests.factories import make_user
from tests.support import LiveServer

pytestmark = pytest.mark.browser
__all__ = ["_bundle"]  # the fixture, used by name
SLOW = 15_000


async def test_copilot_summary_suggestion_citation_and_sentiment(
    page: Any, server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    async with runtime.db.session() as session:
        await seed_knowledge(session)
        await session.commit()
    agent = await make_user(runtime, role="agent", name="Dana", presence="online")
    await sign_in(page, agent.email)
    visitor, conversation_id = await start_visitor(
        server.base_url, "Vera Visitor", "What is your return policy?"
    )
    try:
        await visitor.wait_for("bot_message")
        await visitor.call(
            "user_message", {"client_id": "v2", "text": "this is useless, I want a human"}
        )
        await visitor.wait_for("status_changed", lambda d: d["status"] == "waiting")

        row = page.locator(f'a[data-conversation-id="{conversation_id}"]')
        await row.click()
        copilot = page.get_by_test_id("copilot")
        await expect(copilot).to_be_visible()
        await expect(page.get_by_test_id("sentiment")).to_contain_text("Visitor mood")
        await expect(page.get_by_test_id("sentiment").locator(".trend .neg")).to_have_count(1)

        # the summary made on handoff is cached: asking shows it at once
        await copilot.get_by_role("button", name="Summarize").click()
        summary = page.get_by_test_id("copilot-summary")
        await expect(summary).to_contain_text("return policy", timeout=SLOW)
        await expect(summary).to_contain_text("Waiting for a person")

        # a verdict on the AI's reply lands in the accuracy log
        ai_reply = page.locator('article.msg[data-sender="bot"]').first
        await ai_reply.get_by_test_id("verdict").get_by_role("button", name="Good").click()
        await expect(ai_reply.get_by_test_id("verdict")).to_contain_text("Marked good")
        logs = await logs_of(runtime, conversation_id)
        assert [log.verdict for log in logs if log.verdict] == ["good"]

        await page.get_by_role("button", name="Take over").click()
        await visitor.wait_for("status_changed", lambda d: d["status"] == "agent")
        await copilot.get_by_role("button", name="Suggest a reply").click()
        draft = page.get_by_test_id("copilot-suggestion")
        await expect(draft).to_contain_text("30 days", timeout=SLOW)
        source = copilot.get_by_role("button", name="Returns and refunds")
        await source.click()
        await expect(page.get_by_test_id("citation-text")).to_contain_text("within 30 days")
        await page.screenshot(path=str(artifact("inbox-copilot.png")))

        await copilot.get_by_role("button", name="Use in reply").click()
        composer = page.get_by_label("Reply to the visitor")
        await expect(composer).to_have_value(await draft.inner_text())
        await composer.press("End")
        await composer.press_sequentially(" Anything else?")
        await composer.press("Enter")
        reply = await visitor.wait_for("agent_message")
        assert "30 days" in reply["text"] and reply["text"].endswith("Anything else?")
    finally:
        await visitor.disconnect()
