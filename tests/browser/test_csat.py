"""CSAT in real Chromium: an agent resolves in the console, the visitor's widget asks for a
rating after the configured delay, the visitor rates 5 with the keyboard and a comment, and the
agent sees the rating in the conversation panel and its timeline."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from playwright.async_api import expect

from baton.runtime import Runtime
from tests.browser.conftest import artifact, require_bundle
from tests.browser.test_inbox import sign_in
from tests.browser.widget_fixtures import Visit, host_site, open_widget, send, visit, widget
from tests.factories import make_user, user_headers
from tests.support import wait_for

pytestmark = pytest.mark.browser
SLOW = 15_000
__all__ = ["host_site", "visit"]  # fixtures used by name


async def test_visitor_rates_five_and_the_agent_sees_it(
    page: Any, visit: Visit, host_site: str, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    require_bundle("apps/admin_web/dist")
    _, admin = await user_headers(client, runtime, "admin")
    # Dana is an admin who answers too: she words the survey in the console first
    dana = await make_user(runtime, role="admin", name="Dana", presence="online")
    await sign_in(page, dana.email)
    await page.goto("/app/#/admin/settings/widget")
    survey = page.get_by_role("form", name="Satisfaction survey")
    await survey.get_by_label("Question").fill("How did Dana do?")
    await survey.get_by_label("Ask after (seconds)").fill("99999")
    await survey.get_by_role("button", name="Update survey").click()
    await expect(survey.get_by_text("A whole number of seconds from 0 to 3600.")).to_be_visible()
    await survey.get_by_label("Ask after (seconds)").fill("1")
    await survey.get_by_role("button", name="Update survey").click()

    async def saved() -> bool | None:
        body = (await client.get("/api/v1/widget/settings", headers=admin)).json()
        return (
            True
            if (body["csat_question"], body["csat_delay_seconds"]) == ("How did Dana do?", 1)
            else None
        )

    await wait_for(saved)
    await page.goto("/app/#/")

    frame = await open_widget(visit.page, host_site + "/")
    await send(frame, "I want to talk to a human about my invoice")

    async def waiting() -> str | None:
        items = (
            await client.get("/api/v1/conversations", params={"status": "waiting"}, headers=admin)
        ).json()["items"]
        return str(items[0]["id"]) if items else None

    conversation_id = await wait_for(waiting, timeout=20)
    row = page.locator(f'a[data-conversation-id="{conversation_id}"]')
    await expect(row).to_be_visible(timeout=SLOW)
    await row.click()
    await page.get_by_role("button", name="Take over").click()
    await expect(page.locator(".conversation-header .badge")).to_have_text("With agent")
    await page.get_by_role("button", name="Resolve").click()
    await expect(page.locator(".conversation-header .badge")).to_have_text("Resolved")

    card = frame.get_by_test_id("csat-card")
    await expect(card).to_be_visible(timeout=SLOW)
    await expect(card).to_contain_text("How did Dana do?")
    # a reload before rating brings the card back (csat_status)
    await visit.page.reload()
    frame = widget(visit.page)
    card = frame.get_by_test_id("csat-card")
    await expect(card).to_be_visible(timeout=SLOW)
    # keyboard: Tab reaches the scale, the arrows move along it, the comment is optional
    one = card.get_by_role("radio", name="1 out of 5, Very poor")
    await one.focus()
    for _ in range(4):
        await visit.page.keyboard.press("ArrowRight")
    five = card.get_by_role("radio", name="5 out of 5, Excellent")
    await expect(five).to_be_focused()
    await expect(five).to_have_attribute("aria-checked", "true")
    await card.get_by_label("Anything to add? (optional)").fill("Dana sorted it in minutes")
    await card.get_by_role("button", name="Send").click()
    await expect(frame.get_by_test_id("csat-thanks")).to_contain_text("Thanks for your feedback")
    await visit.page.screenshot(path=str(artifact("widget-csat.png")))

    details = page.get_by_role("complementary", name="Visitor details")
    rating = details.get_by_test_id("csat-rating")
    await expect(rating).to_contain_text("5/5", timeout=SLOW)
    await expect(rating).to_contain_text("Dana sorted it in minutes")
    await page.get_by_role("button", name="Timeline").click()
    await expect(details.get_by_test_id("timeline-csat")).to_contain_text("5/5")
    await page.screenshot(path=str(artifact("inbox-csat.png")))

    shown = (
        await client.get(f"/api/v1/conversations/{conversation_id}/csat", headers=admin)
    ).json()["rating"]
    assert shown["rating"] == 5

    # the visitor starts over: a fresh, empty thread; the rated one stays with the agents
    ended = frame.get_by_test_id("conversation-ended")
    await expect(ended).to_contain_text("This conversation has ended")
    await ended.get_by_test_id("new-conversation").click()
    await expect(ended).to_have_count(0)
    await expect(frame.get_by_test_id("welcome")).to_be_visible()
    await expect(frame.get_by_text("Dana sorted it in minutes")).to_have_count(0)
    await expect(frame.locator(".msg.visitor")).to_have_count(0)
    await send(frame, "A fresh question about shipping")

    async def started_over() -> str | None:
        items = (
            await client.get("/api/v1/conversations", params={"status": "bot"}, headers=admin)
        ).json()["items"]
        fresh = [
            c
            for c in items
            if c["id"] != conversation_id and c["last_message"] and "shipping" in json.dumps(c)
        ]
        return str(fresh[0]["id"]) if fresh else None

    fresh_id = await wait_for(started_over, timeout=20)
    assert fresh_id != conversation_id
    old = (await client.get(f"/api/v1/conversations/{conversation_id}", headers=admin)).json()
    assert old["status"] == "resolved"
    # the agent opening the new one sees the rated one under "Previous conversations"
    await page.goto(f"/app/#/inbox/all/{fresh_id}")
    previous = page.get_by_test_id("previous-conversations")
    await expect(previous.get_by_role("link")).to_have_count(1)
    await expect(previous.get_by_role("link")).to_contain_text("Resolved")
    await previous.get_by_role("link").click()
    await expect(page.get_by_role("log")).to_contain_text("about my invoice", timeout=SLOW)
    assert visit.problems == []
    assert page.problems == []
