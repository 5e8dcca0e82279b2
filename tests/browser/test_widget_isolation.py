"""The widget is isolated from its host page, renders every message as text, keeps its
budgets, honours the JavaScript API, and tells a visitor when nobody picked up in time."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from playwright.async_api import expect
from sqlalchemy import select

from baton.conversations.models import Conversation
from baton.runtime import Runtime
from baton.visitors.models import Visitor
from tests.browser.conftest import artifact, require_bundle
from tests.browser.widget_fixtures import (
    ANSWER,
    Agent,
    ScriptedBot,
    Visit,
    agent,
    host_site,
    open_widget,
    scripted_bot,
    send,
    visit,
    widget,
)
from tests.factories import DEFAULT_PASSWORD, user_headers
from tests.support import LiveServer, wait_for

pytestmark = pytest.mark.browser
__all__ = ["agent", "host_site", "scripted_bot", "visit"]  # fixtures used by name

XSS = "<img src=x onerror=alert(1)>"
LOOK = """() => {
  const pick = (el, props) => { const s = getComputedStyle(el); return props.map(p => s.getPropertyValue(p)); };
  const q = (sel) => document.querySelector(sel);
  const out = {};
  const launcher = q('.launcher');
  if (launcher) {
    const r = launcher.getBoundingClientRect();
    out.launcher = [r.width, r.height, ...pick(launcher, ['font-size', 'font-family', 'background-color', 'color', 'padding-left', 'border-radius'])];
  }
  const title = q('.title');
  if (title) out.title = pick(title, ['font-size', 'font-family', 'color', 'line-height', 'letter-spacing']);
  const box = q('textarea');
  if (box) { const r = box.getBoundingClientRect(); out.textarea = [r.width, r.height, ...pick(box, ['font-size', 'font-family'])]; }
  const header = q('.header');
  if (header) { const r = header.getBoundingClientRect(); out.header = [r.width, r.height, ...pick(header, ['background-color'])]; }
  return out;
}"""


async def _looks(page: Any) -> dict[str, Any]:
    """Where the iframe sits on the page and how the widget's parts are styled inside it."""
    frame_el = page.locator("iframe[data-baton=widget]")
    await expect(widget(page).locator(".launcher")).to_be_visible()
    closed_box = await frame_el.bounding_box()
    frame = next(f for f in page.frames if f.url.split("#")[0].endswith("/widget/frame.html"))
    closed = await frame.evaluate(LOOK)
    await page.evaluate("Baton.open()")
    await expect(widget(page).get_by_role("textbox", name="Message")).to_be_visible()
    open_box = await frame_el.bounding_box()
    opened = await frame.evaluate(LOOK)
    return {"closed_box": closed_box, "closed": closed, "open_box": open_box, "open": opened}


async def test_hostile_host_css_does_not_change_the_widget(
    browser: Any, visit: Visit, host_site: str
) -> None:
    plain = await _looks_at(visit.page, host_site + "/")
    hostile_context = await browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = await hostile_context.new_page()
        hostile = await _looks_at(page, host_site + "/hostile")
        # the host's CSS is really in force on its own page...
        assert await page.evaluate("getComputedStyle(document.body).fontSize") == "72px"
        assert (
            await page.evaluate("getComputedStyle(document.querySelector('h1')).fontSize") == "64px"
        )
        await page.screenshot(path=artifact("widget-hostile-css.png"))
    finally:
        await hostile_context.close()
    # ...and the widget is pixel for pixel where and what it is on a well-behaved page
    assert hostile == plain
    assert plain["closed"]["launcher"][2] == "15px"
    assert plain["open_box"]["width"] == 380


async def _looks_at(page: Any, url: str) -> dict[str, Any]:
    await page.goto(url)
    return await _looks(page)


async def test_html_in_messages_is_text_for_the_visitor_and_the_agent(
    browser: Any, visit: Visit, host_site: str, agent: Agent, server: LiveServer
) -> None:
    require_bundle("apps/admin_web/dist")
    frame = await open_widget(visit.page, host_site + "/")
    await send(frame, XSS)
    bubble = frame.locator('.msg[data-sender="visitor"][data-state="sent"] .bubble')
    await expect(bubble).to_have_text(XSS)
    assert await frame.locator(".messages img").count() == 0
    # the AI's reply to it (the built-in responder) comes back before asking for a person
    await expect(frame.locator('.msg[data-sender="bot"][data-state="sent"]')).to_have_count(
        1, timeout=15_000
    )
    await frame.get_by_test_id("talk-to-person").click()
    await expect(frame.get_by_test_id("queue")).to_be_visible()

    # the agent's side: the inbox shows the same characters, as characters
    inbox_context = await browser.new_context(
        base_url=server.base_url, viewport={"width": 1366, "height": 768}
    )
    dialogs: list[str] = []
    try:
        inbox = await inbox_context.new_page()

        async def dismiss(dialog: Any) -> None:
            dialogs.append(dialog.message)
            await dialog.dismiss()

        inbox.on("dialog", dismiss)
        await inbox.goto("/app/")
        await inbox.get_by_label("Email").fill(agent.email)
        await inbox.get_by_label("Password").fill(DEFAULT_PASSWORD)
        await inbox.get_by_role("button", name="Sign in").click()
        conversation_id = await agent.waiting_conversation()
        await inbox.locator(f'a[data-conversation-id="{conversation_id}"]').click()
        transcript = inbox.get_by_role("log")
        await expect(transcript).to_contain_text(XSS)
        assert await transcript.locator("img").count() == 0
        await inbox.screenshot(path=artifact("widget-xss-inbox.png"))
    finally:
        await inbox_context.close()

    # and the other way: an agent's markup reaches the visitor as text too
    await agent.client.call("take_over", {"conversation_id": conversation_id})
    markup = '<b>bold</b> <script>alert(2)</script> <a href="javascript:alert(3)">x</a>'
    await agent.client.call(
        "agent_message", {"conversation_id": conversation_id, "client_id": "x-1", "text": markup}
    )
    agent_bubble = frame.locator('.msg[data-sender="agent"] .bubble')
    await expect(agent_bubble).to_have_text(markup)
    assert await frame.locator(".messages b, .messages script, .messages a").count() == 0
    await visit.page.screenshot(path=artifact("widget-xss.png"))
    assert dialogs == [] and visit.dialogs == []
    assert visit.problems == [], visit.problems


async def test_nobody_online_gets_the_offline_form_not_a_countdown(
    visit: Visit, host_site: str, scripted_bot: ScriptedBot, runtime: Runtime
) -> None:
    """Nobody from the team is online: the widget says so once and offers the offline form; no
    countdown that cannot succeed, and the AI keeps answering (issue 12)."""
    scripted_bot.delay = 0.05
    frame = await open_widget(visit.page, host_site + "/")
    await frame.get_by_test_id("talk-to-person").click()
    nobody = frame.locator('.msg[data-sender="system"]').filter(
        has_text="No one from the team is online"
    )
    await expect(nobody).to_have_count(1)
    await expect(frame.get_by_test_id("offline-form")).to_have_attribute(
        "data-reason", "nobody_online"
    )
    assert await frame.get_by_test_id("countdown").count() == 0
    await expect(frame.get_by_test_id("queue")).to_be_hidden()
    async with runtime.db.session() as session:
        conversation = await session.scalar(select(Conversation))
        assert conversation is not None
        assert conversation.status == "waiting"  # still queued for whoever comes online

    # the AI carries on, and the nobody-online line is not repeated
    await send(frame, "Meanwhile, how do returns work?")
    await expect(
        frame.locator('.msg[data-sender="bot"][data-state="sent"] .bubble').last
    ).to_have_text(ANSWER)
    await expect(nobody).to_have_count(1)
    assert [p for p in visit.problems if p.startswith("pageerror")] == []


async def test_javascript_api_identify_open_close_and_unread(
    visit: Visit, host_site: str, agent: Agent, runtime: Runtime
) -> None:
    page = visit.page
    await page.goto(host_site + "/")
    frame = widget(page)
    await expect(frame.get_by_role("button", name="Open chat")).to_be_visible()
    await page.evaluate(
        """() => { window.unreadEvents = []; window.openEvents = [];
                   Baton.on('unread', n => unreadEvents.push(n));
                   Baton.on('open', () => openEvents.push('open'));
                   Baton.on('close', () => openEvents.push('close')); }"""
    )
    await page.get_by_role("button", name="Baton.identify").click()

    async def identified() -> Any:
        async with runtime.db.session() as session:
            # emails are sealed at rest: compared once read
            found = [
                v for v in await session.scalars(select(Visitor)) if v.email == "ada@example.com"
            ]
            return found[0] if found else None

    visitor = await wait_for(identified, timeout=10)
    assert visitor.name == "Ada"

    # an agent writes while the panel is closed: the launcher counts it
    async with runtime.db.session() as session:
        conversation = await session.scalar(
            select(Conversation).where(Conversation.visitor_id == visitor.id)
        )
        assert conversation is not None
    cid = str(conversation.id)
    await agent.client.call("join_session", {"conversation_id": cid})
    await agent.client.call("take_over", {"conversation_id": cid})
    await agent.client.call(
        "agent_message", {"conversation_id": cid, "client_id": "u-1", "text": "Hello Ada!"}
    )
    badge = frame.get_by_test_id("unread")
    await expect(badge).to_have_text("2")  # "Dana joined" and the message
    assert await page.evaluate("Baton.unread()") == 2
    await expect(frame.get_by_role("button", name="Open chat, 2 unread")).to_be_visible()

    await page.get_by_role("button", name="Baton.open()").click()
    await expect(frame.locator('.msg[data-sender="agent"]')).to_contain_text("Hello Ada!")
    assert await page.evaluate("Baton.isOpen()") is True
    await page.get_by_role("button", name="Baton.close()").click()
    await expect(frame.get_by_role("button", name="Open chat")).to_be_visible()
    await expect(badge).to_be_hidden()  # read
    assert await page.evaluate("window.openEvents") == ["open", "close"]
    assert await page.evaluate(
        "window.unreadEvents.includes(2) && window.unreadEvents.at(-1) === 0"
    )
    assert visit.problems == [], visit.problems


async def test_the_page_reports_when_the_launcher_was_drawn(browser: Any, host_site: str) -> None:
    """``Baton.timing`` tells a site (and scripts/bench s9, which holds the 300 ms target)
    when the loader started and when the launcher was drawn; speed is the bench's job."""
    context = await browser.new_context()
    try:
        page = await context.new_page()
        await page.goto(host_site + "/")
        await page.wait_for_function("window.Baton && window.Baton.timing.launcherShown")
        t = await page.evaluate("Baton.timing")
        assert 0 < t["loaderStart"] <= t["launcherShown"], t
        await expect(widget(page).locator(".launcher")).to_be_visible()
    finally:
        await context.close()


async def test_theme_from_the_server(
    visit: Visit, host_site: str, server: LiveServer, runtime: Runtime
) -> None:
    async with httpx.AsyncClient(base_url=server.base_url, timeout=20) as http:
        _, admin = await user_headers(http, runtime, "admin")
        saved = await http.patch(
            "/api/v1/widget/settings",
            json={
                "title": "Acme help desk",
                "color": "#fbbf24",
                "position": "left",
                "launcher_text": "Questions?",
                "welcome_message": "Howdy! Ask away.",
            },
            headers=admin,
        )
        assert saved.status_code == 200, saved.text
    page = visit.page
    await page.goto(host_site + "/")
    frame = widget(page)
    launcher = frame.get_by_role("button", name="Open chat")
    await expect(launcher).to_have_text("Questions?")
    await expect(launcher).to_have_css("background-color", "rgb(251, 191, 36)")
    await expect(launcher).to_have_css("color", "rgb(17, 24, 39)")  # dark text on a light colour
    box = await page.locator("iframe[data-baton=widget]").bounding_box()
    assert box is not None and box["x"] < 40  # bottom left
    await launcher.click()
    await expect(frame.get_by_role("heading", name="Acme help desk")).to_be_visible()
    await expect(frame.get_by_test_id("welcome")).to_have_text("Howdy! Ask away.")
    box = await page.locator("iframe[data-baton=widget]").bounding_box()
    assert box is not None and box["x"] < 40 and box["width"] == 380
    assert visit.problems == [], visit.problems
