"""The embeddable widget in real Chromium: a customer page on one origin loads the loader from
the api on another; a visitor asks, watches the answer stream in, asks for a person, is taken
over by a scripted agent on /agent, reloads, and loses nothing across a network cut."""

from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.async_api import expect

from baton.runtime import Runtime
from tests.browser.conftest import artifact
from tests.browser.widget_fixtures import (
    ANSWER,
    SUGGESTIONS,
    Agent,
    ScriptedBot,
    Visit,
    agent,
    host_site,
    open_widget,
    scripted_bot,
    send,
    stored_count,
    visit,
    widget,
)
from tests.realtime.clients import barrier
from tests.support import wait_for

pytestmark = pytest.mark.browser
SLOW = 15_000  # ms: a fresh page's session start, on 2 CPUs shared with other suites
__all__ = ["agent", "host_site", "scripted_bot", "visit"]  # fixtures used by name


async def test_visitor_journey_stream_handoff_reload_and_offline(
    visit: Visit, host_site: str, agent: Agent, scripted_bot: ScriptedBot, runtime: Runtime
) -> None:
    page = visit.page
    await page.goto(host_site + "/")
    assert await page.evaluate("location.origin") != runtime.settings.public_url
    frame = widget(page)
    launcher = frame.get_by_role("button", name="Open chat")
    await expect(launcher).to_be_visible()
    await expect(launcher).to_contain_text("Chat with us")  # theme from the server
    await launcher.click()
    await expect(frame.get_by_test_id("welcome")).to_contain_text("Ask me anything")

    # -- a question: shown at once, confirmed by the ack, answered by a stream
    await send(frame, "How do returns work?")
    mine = frame.locator('.msg[data-sender="visitor"]').filter(has_text="How do returns work?")
    await expect(mine).to_have_attribute("data-state", "sent")
    await expect(frame.get_by_test_id("typing")).to_be_visible()  # the AI is "typing"
    streaming = frame.locator('.msg[data-sender="bot"][data-state="streaming"]')
    await expect(streaming).to_be_visible()
    partial = await streaming.inner_text()
    assert partial and ANSWER.split(" ")[0] in partial
    answer = frame.locator('.msg[data-sender="bot"][data-state="sent"]').filter(has_text="30 days")
    await expect(answer).to_contain_text(ANSWER)
    assert len(partial) < len(ANSWER)  # it arrived in pieces, not all at once
    await expect(answer.get_by_role("link", name="https://acme.test/returns")).to_have_attribute(
        "href", "https://acme.test/returns"
    )
    await expect(frame.get_by_test_id("suggestions").get_by_role("button")).to_have_text(
        SUGGESTIONS
    )
    assert await frame.locator(".msg.bot .author").first.inner_text() == "AI assistant"
    # the host page's Baton.on('message') saw the visitor's message and the answer
    seen = await page.evaluate("window.hostMessages.map(m => m.sender + ':' + m.text)")
    assert "visitor:How do returns work?" in seen and f"bot:{ANSWER}" in seen

    # -- a quick reply is a message like any other
    await frame.get_by_role("button", name=SUGGESTIONS[0]).click()
    await expect(
        frame.locator('.msg[data-sender="visitor"][data-state="sent"]').filter(
            has_text=SUGGESTIONS[0]
        )
    ).to_be_visible()
    await wait_for(lambda: _true(len(scripted_bot.replies) == 2), timeout=15)

    # -- talk to a person: queue position and a three-minute countdown
    await frame.get_by_test_id("talk-to-person").click()
    queue = frame.get_by_test_id("queue")
    await expect(queue).to_contain_text("next in the queue")
    countdown = await frame.get_by_test_id("countdown").inner_text()
    assert countdown in ("3:00", "2:59", "2:58"), countdown
    await expect(frame.get_by_test_id("status-line")).to_have_text("Waiting for a person")
    await expect(frame.locator('.msg[data-sender="system"]').last).to_contain_text("queue")

    # -- a scripted agent takes over through /agent
    conversation_id = await agent.waiting_conversation()
    joined = await agent.client.call("join_session", {"conversation_id": conversation_id})
    assert "error" not in joined, joined
    taken = await agent.client.call("take_over", {"conversation_id": conversation_id})
    assert taken["conversation"]["status"] == "agent", taken
    await expect(
        frame.locator('.msg[data-sender="system"]').filter(has_text="joined the conversation")
    ).to_be_visible()
    await expect(queue).to_be_hidden()
    await expect(frame.get_by_test_id("talk-to-person")).to_be_hidden()

    await agent.client.call("typing_start", {"conversation_id": conversation_id})
    await expect(frame.get_by_test_id("typing")).to_contain_text("Dana Agent is typing")
    reply = await agent.client.call(
        "agent_message",
        {
            "conversation_id": conversation_id,
            "client_id": "a-1",
            "text": "Hi, I'm Dana. Which order?",
        },
    )
    assert "error" not in reply, reply
    from_agent = frame.locator('.msg[data-sender="agent"]').filter(has_text="Which order?")
    await expect(from_agent).to_be_visible()
    await expect(from_agent.locator(".author")).to_have_text("Dana Agent")
    await expect(from_agent.locator("time")).to_have_text(_clock_pattern())
    await expect(frame.get_by_test_id("typing")).to_be_hidden()
    await expect(frame.get_by_test_id("status-line")).to_have_text(
        "You are chatting with Dana Agent"
    )

    await send(frame, "Order 1234, thanks")
    await wait_for(lambda: _true(agent.messages_with("Order 1234, thanks")), timeout=10)

    # -- reload: the same conversation, from the server, with the agent still there
    await page.reload()
    frame = widget(page)
    await expect(frame.get_by_role("textbox", name="Message")).to_be_visible()  # stays open
    await expect(
        frame.locator('.msg[data-sender="agent"]').filter(has_text="Which order?")
    ).to_be_visible(timeout=SLOW)
    await expect(
        frame.locator('.msg[data-sender="visitor"]').filter(has_text="Order 1234")
    ).to_have_count(1)
    await expect(frame.get_by_test_id("status-line")).to_have_text(
        "You are chatting with Dana Agent"
    )

    # -- a new tab resumes it too (the token lives in localStorage)
    other = await visit.new_page()
    await open_widget(other, host_site + "/")
    await expect(
        widget(other).locator('.msg[data-sender="agent"]').filter(has_text="Which order?")
    ).to_be_visible(timeout=SLOW)
    await other.close()

    assert visit.problems == [], visit.problems
    # -- the network drops mid-message: pending, then delivered once when it is back
    # (the browser logs its failed reconnection attempts meanwhile: expected, not a fault)
    await visit.context.set_offline(True)
    offline_text = "Sent while the network was down"
    await send(frame, offline_text)
    pending = frame.locator('.msg[data-sender="visitor"]').filter(has_text=offline_text)
    await expect(pending).to_have_attribute("data-state", "pending")
    await expect(pending.get_by_test_id("pending")).to_be_visible()
    await expect(frame.get_by_test_id("offline")).to_be_visible()
    assert await stored_count(runtime, offline_text) == 0  # it stays in the outbox
    await visit.context.set_offline(False)
    await expect(pending).to_have_attribute("data-state", "sent", timeout=15_000)
    await expect(frame.get_by_test_id("offline")).to_be_hidden()
    await wait_for(lambda: _true(agent.messages_with(offline_text)), timeout=10)
    await barrier(runtime, agent.client)  # anything duplicated would have arrived before this
    assert len(agent.messages_with(offline_text)) == 1, json.dumps(
        agent.messages_with(offline_text)
    )
    assert await stored_count(runtime, offline_text) == 1
    await page.reload()
    await expect(
        widget(page)
        .locator('.msg[data-sender="visitor"][data-state="sent"]')
        .filter(has_text=offline_text)
    ).to_have_count(1, timeout=SLOW)

    await page.screenshot(path=artifact("widget-journey.png"))
    assert [p for p in visit.problems if p.startswith("pageerror")] == []


def _clock_pattern() -> Any:
    import re

    return re.compile(r"^\d{1,2}:\d{2}(\s?[AP]M)?$")


async def _true(value: Any) -> Any:
    return value


STREAM_WATCH = """() => {
  window.__partials = [];
  new MutationObserver(() => {
    for (const el of document.querySelectorAll('.msg[data-state="streaming"] .bubble')) {
      // innerText: what is drawn (paragraphs are elements since the Markdown subset)
      const text = el.innerText;
      if (window.__partials[window.__partials.length - 1] !== text) window.__partials.push(text);
    }
  }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
}"""


async def test_builtin_responder_answer_streams_in_from_the_knowledge_base(
    visit: Visit, host_site: str, runtime: Runtime
) -> None:
    """No scripted replier: the api's own AI (the built-in knowledge-base responder)."""
    from baton.knowledge.seed import seed as seed_knowledge

    async with runtime.db.session() as session:
        await seed_knowledge(session)
        await session.commit()
    frame = await open_widget(visit.page, host_site + "/")
    app = next(f for f in visit.page.frames if f.url.split("#")[0].endswith("/widget/frame.html"))
    await app.evaluate(STREAM_WATCH)
    await send(frame, "How do I return an item?")
    answer = frame.locator('.msg[data-sender="bot"][data-state="sent"] .bubble').last
    await expect(answer).to_contain_text("From our help center: Returns and refunds", timeout=SLOW)
    final = await answer.inner_text()
    partials = await app.evaluate("window.__partials")
    # it was drawn piece by piece, each piece a beginning of the final answer
    assert len(partials) >= 3, partials
    assert all(final.startswith(p.strip()) for p in partials if p.strip()), partials
    assert len(partials[0]) < len(final)

    # a question it cannot answer: said honestly, a person offered by ONE control (no chip too)
    await send(frame, "What is the capital of France?")
    miss = frame.locator('.msg[data-sender="bot"][data-state="sent"] .bubble').last
    await expect(miss).to_contain_text(
        "couldn't find an answer to that in our help center", timeout=SLOW
    )
    await expect(frame.get_by_text("Talk to a person", exact=True)).to_have_count(1)
    await expect(frame.get_by_test_id("suggestions")).to_have_count(0)
    await frame.get_by_test_id("talk-to-person").click()  # the visitor accepts: now queued
    await expect(frame.get_by_test_id("status-line")).to_have_text(
        "Waiting for a person", timeout=SLOW
    )
    # nobody from the team is online: said once, and no countdown that cannot succeed
    nobody = frame.locator('.msg[data-sender="system"]', has_text="No one from the team is online")
    await expect(nobody).to_have_count(1)
    await expect(frame.get_by_test_id("queue")).to_be_hidden()
    await expect(frame.get_by_test_id("countdown")).to_have_count(0)
    await expect(frame.get_by_text("You are next in the queue")).to_have_count(0)
    assert await app.evaluate("document.body.innerText.includes('3:00')") is False

    # already waiting, the visitor asks for a person again: one honest line, no new offer (no loop)
    await send(frame, "I want to talk to a human")
    again = frame.locator('.msg[data-sender="bot"][data-state="sent"] .bubble').last
    await expect(again).to_contain_text("You're already in the queue", timeout=SLOW)
    await send(frame, "Do you sell gift wrapping?")
    await expect(again).to_contain_text("A person from the team will pick this up", timeout=SLOW)
    await expect(frame.get_by_test_id("talk-to-person")).to_have_count(0)
    await expect(frame.get_by_test_id("suggestions")).to_have_count(0)
    bot_texts = await frame.locator('.msg[data-sender="bot"] .bubble').all_inner_texts()
    offers = [t for t in bot_texts if "talk to a person" in t.lower()]
    assert len(offers) == 1, bot_texts  # only the first miss, before the visitor was queued
    await expect(nobody).to_have_count(1)
    assert [p for p in visit.problems if p.startswith("pageerror")] == []
