"""The widget's small comforts: a reply the visitor is not looking at chimes (panel closed),
one they are reading does not, muting is remembered; an emoji palette in the composer."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.async_api import expect

from tests.browser.widget_fixtures import (
    Agent,
    Visit,
    agent,
    host_site,
    open_widget,
    send,
    visit,
    widget,
)
from tests.conversations.helpers import cid

pytestmark = pytest.mark.browser
__all__ = ["agent", "host_site", "visit"]  # fixtures used by name


async def _chimes(frame: Any) -> int:
    return int(await frame.locator("html").get_attribute("data-chimes") or 0)


async def test_replies_chime_only_when_the_visitor_is_not_looking(
    visit: Visit, host_site: str, agent: Agent
) -> None:
    frame = await open_widget(visit.page, host_site + "/")
    await send(frame, "I want to talk to a person please")
    await expect(frame.get_by_test_id("status-line")).to_contain_text("Waiting for a person")
    conversation_id = await agent.waiting_conversation()
    taken = await agent.client.call("take_over", {"conversation_id": conversation_id})
    assert "error" not in taken, taken

    async def reply(text: str) -> None:
        ack = await agent.client.call(
            "agent_message", {"conversation_id": conversation_id, "client_id": cid(), "text": text}
        )
        assert "error" not in ack, ack

    await reply("Hi, I am reading your question")  # the panel is open: no sound
    await expect(frame.locator('.msg[data-sender="agent"]')).to_have_count(1)
    assert await _chimes(frame) == 0

    await frame.get_by_role("button", name="Close chat").click()
    await reply("Found your order")
    await expect(frame.get_by_test_id("unread")).to_have_text("1")
    assert await _chimes(frame) == 1

    # muted (and remembered across a reload): the badge still counts, nothing sounds
    await frame.get_by_role("button", name="Open chat").click()
    await frame.get_by_test_id("sound").click()
    await expect(frame.get_by_test_id("sound")).to_have_attribute("aria-pressed", "true")
    await visit.page.reload()
    frame = widget(visit.page)
    await expect(frame.get_by_test_id("sound")).to_have_attribute("aria-pressed", "true")
    await frame.get_by_role("button", name="Close chat").click()
    await reply("It ships tomorrow")
    await expect(frame.get_by_test_id("unread")).to_have_text("1")
    assert await _chimes(frame) == 0
    assert not visit.problems, visit.problems


async def test_the_visitor_picks_an_emoji(visit: Visit, host_site: str) -> None:
    frame = await open_widget(visit.page, host_site + "/")
    box = frame.get_by_role("textbox", name="Message")
    await box.fill("Thank you ")
    await frame.get_by_role("button", name="Insert emoji").click()
    palette = frame.get_by_role("dialog", name="Emoji")
    await palette.get_by_label("Search emoji").fill("folded")
    await palette.get_by_role("button", name="folded hands thanks please").click()
    await expect(palette).to_have_count(0)
    await expect(box).to_have_value("Thank you 🙏")
    await expect(box).to_be_focused()
    await frame.get_by_role("button", name="Insert emoji").click()
    await expect(frame.get_by_label("Search emoji")).to_be_focused()  # open, as the visitor sees
    await visit.page.keyboard.press("Escape")
    await expect(frame.get_by_role("dialog", name="Emoji")).to_have_count(0)
    await box.press("Enter")
    await expect(frame.locator('.msg[data-sender="visitor"]')).to_contain_text("Thank you 🙏")
    assert not visit.problems, visit.problems
