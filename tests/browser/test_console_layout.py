"""The one SPA from phones to wide screens, and the inbox polish: screenshots at 390, 768, 1024
and 1440 px with no horizontal overflow; search across every conversation; unread markers;
take-over followed by the list; the timeline; Markdown; keyboard shortcuts."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from playwright.async_api import expect

from baton.runtime import Runtime
from tests.browser.conftest import artifact, require_bundle
from tests.browser.test_inbox import sign_in, start_visitor
from tests.factories import make_user
from tests.support import LiveServer

pytestmark = pytest.mark.browser

WIDTHS = {390: 844, 768: 1024, 1024: 768, 1440: 900}


@pytest.fixture(autouse=True)
def _bundle() -> None:
    require_bundle("apps/admin_web/dist")


async def overflow(page: Any) -> dict[str, int]:
    return dict(
        await page.evaluate(
            "({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"
        )
    )


# (on an emulated phone, content wider than the screen widens innerWidth itself: compare with
# the viewport the test asked for too)
WIDER = """() => [...document.querySelectorAll('body *')]
    .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
    .slice(0, 8)
    .map((e) => `${e.tagName.toLowerCase()}.${e.className} right=${Math.round(e.getBoundingClientRect().right)}`)"""


async def assert_fits(page: Any, what: str) -> None:
    sizes = await overflow(page)
    sizes["viewport"] = page.viewport_size["width"]
    if sizes["scroll"] > min(sizes["inner"], sizes["viewport"]):
        culprits = await page.evaluate(WIDER)
        pytest.fail(f"{what} overflows: {sizes}; wider than the screen: {culprits}")


@pytest.mark.parametrize("width", list(WIDTHS))
async def test_inbox_and_console_fit_the_screen(
    browser: Any, server: LiveServer, runtime: Runtime, width: int
) -> None:
    admin = await make_user(runtime, role="admin", name="Ada Admin", presence="online")
    visitor, conversation_id = await start_visitor(
        server.base_url, "Mo Mobile", "Can I change my delivery address?"
    )
    context = await browser.new_context(
        base_url=server.base_url,
        viewport={"width": width, "height": WIDTHS[width]},
        is_mobile=width < 500,
        has_touch=width < 500,
    )
    context.set_default_timeout(10_000)
    page = await context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    try:
        await visitor.call("request_agent", {})
        await sign_in(page, admin.email)
        row = page.locator(f'a[data-conversation-id="{conversation_id}"]')
        await expect(row).to_be_visible()
        await assert_fits(page, f"inbox list at {width}px")
        await page.screenshot(path=str(artifact(f"inbox-list-{width}.png")))

        await row.click()
        await expect(page.get_by_role("log")).to_contain_text("delivery address")
        take_over = page.get_by_role("button", name="Take over")
        await expect(take_over).to_be_in_viewport()
        await assert_fits(page, f"inbox conversation at {width}px")
        await page.screenshot(path=str(artifact(f"inbox-{width}.png")))
        await take_over.click()
        await expect(page.get_by_label("Reply to the visitor")).to_be_in_viewport()
        await assert_fits(page, f"inbox after take-over at {width}px")

        if width < 800:
            # one pane at a time on a phone: back to the list, which followed the take-over
            await page.get_by_role("link", name="← Back to mine list").click()
            await expect(page.get_by_role("tab", name="Mine")).to_have_attribute(
                "aria-selected", "true"
            )
            await expect(row).to_be_visible()

        for name, path, heading in (
            ("users", "/admin/users", "Users"),
            ("providers", "/admin/ai/providers", "AI providers"),
            ("workspace", "/admin/settings/workspace", "Workspace settings"),
        ):
            await page.goto(f"/app/#{path}")
            await expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
            await assert_fits(page, f"{name} at {width}px")
            await page.screenshot(path=str(artifact(f"console-{name}-{width}.png")), full_page=True)

        if width < 900:
            # the account controls fold into a menu on narrow screens
            menu = page.get_by_role("button", name="Menu")
            await menu.click()
            await expect(page.get_by_role("button", name="Sign out")).to_be_visible()
            await assert_fits(page, f"open menu at {width}px")
        assert problems == []
    finally:
        await visitor.disconnect()
        await context.close()


async def test_inbox_search_unread_takeover_timeline_markdown_and_shortcuts(
    page: Any, server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    agent = await make_user(runtime, role="agent", name="Dana Agent", presence="online")
    tess, tess_id = await start_visitor(server.base_url, "Tess Tent", "My tent pole snapped")
    uma, uma_id = await start_visitor(server.base_url, "Uma Unread", "Hello there")
    try:
        await tess.call("request_agent", {})
        await uma.call("request_agent", {})
        await sign_in(page, agent.email)
        tess_row = page.locator(f'a[data-conversation-id="{tess_id}"]')
        uma_row = page.locator(f'a[data-conversation-id="{uma_id}"]')
        await expect(tess_row).to_be_visible()

        # keyboard: j opens the first waiting conversation, t takes it over, and the list
        # follows the conversation to Mine
        await page.locator("body").press("j")
        await expect(page).to_have_url(f"{server.base_url}/app/#/inbox/waiting/{tess_id}")
        await expect(page.get_by_role("heading", name="Tess Tent")).to_be_visible()
        await page.locator("body").press("t")
        await expect(page.locator(".conversation-header .badge")).to_have_text("With agent")
        await expect(page).to_have_url(f"{server.base_url}/app/#/inbox/mine/{tess_id}")
        await expect(page.get_by_role("tab", name="Mine")).to_have_attribute(
            "aria-selected", "true"
        )
        await expect(tess_row).to_have_attribute("aria-current", "page")

        # Markdown and links in the agent's reply, safe HTML-free rendering
        composer = page.get_by_label("Reply to the visitor")
        await composer.fill("**Good news**: see https://shop.example/repairs <b>now</b>")
        await composer.press("Enter")
        bubble = page.locator("article.msg-agent").filter(has_text="Good news")
        await expect(bubble.locator("strong")).to_have_text("Good news")
        await expect(
            bubble.get_by_role("link", name="https://shop.example/repairs")
        ).to_have_attribute("href", "https://shop.example/repairs")
        await expect(bubble).to_contain_text("<b>now</b>")
        await expect(bubble.locator("b")).to_have_count(0)

        # the timeline from /events: queued, then taken over by Dana
        await page.get_by_role("button", name="Timeline").click()
        timeline = page.get_by_role("list", name="Timeline")
        await expect(timeline).to_contain_text("queue")
        await expect(timeline).to_contain_text("agent by Dana Agent")

        # unread: Uma writes while Dana looks at Tess; the Unassigned row gets a count
        await page.get_by_role("tab", name="Unassigned").click()
        await uma.call("user_message", {"client_id": "u2", "text": "Anyone?"})
        await uma.call("user_message", {"client_id": "u3", "text": "Still here"})
        await expect(uma_row.get_by_test_id("unread-count")).to_have_text("2")
        await uma_row.click()
        await expect(page.get_by_role("log")).to_contain_text("Still here")
        await expect(uma_row.get_by_test_id("unread-count")).to_have_count(0)

        # search covers every conversation, not just this tab: Tess is in Mine
        await page.locator("body").press("Escape")
        await page.locator("body").press("/")
        search = page.get_by_label("Search conversations")
        await expect(search).to_be_focused()
        await search.fill("tent pole")
        await expect(tess_row).to_be_visible()
        await expect(uma_row).to_have_count(0)
        await expect(page.get_by_text("Results from every conversation")).to_be_visible()

        # counts follow the events without a reload
        await expect(page.get_by_role("tab", name="Mine")).to_contain_text("1")
        await expect(page.get_by_role("tab", name="Waiting")).to_contain_text("1")

        # ? lists the shortcuts
        await search.fill("")
        await search.press("Escape")
        await expect(search).not_to_be_focused()
        await page.keyboard.press("?")
        await expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_contain_text(
            "Take over"
        )
        await page.keyboard.press("Escape")
        await expect(page.get_by_role("dialog")).to_have_count(0)
        assert page.problems == []
    finally:
        await tess.disconnect()
        await uma.disconnect()
