"""Outside business hours the widget says "we're away" with the next opening in the visitor's
locale and sets the offline offer (the form is drawn from it); asking for a person then queues
nobody. The loader also reports a single-page app's route changes."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from playwright.async_api import expect

from baton.hours import service as hours
from baton.hours.schemas import BusinessHoursIn, HolidayIn, IntervalIn, WeeklyIn
from baton.runtime import Runtime
from baton.visitors.rules import ProactiveRule, ProactiveRules
from baton.visitors.rules import save as save_rules
from tests.browser.widget_fixtures import Visit, host_site, open_widget, visit, widget
from tests.factories import first_replies, user_headers
from tests.support import LiveServer, wait_for

pytestmark = pytest.mark.browser
__all__ = ["host_site", "visit"]


async def _close_today(runtime: Runtime) -> None:
    """Open round the clock except today (a holiday): the next opening is tomorrow 00:00 UTC."""
    day = [IntervalIn("00:00", "24:00")]
    weekly = WeeklyIn(day, day, day, day, day, day, day)
    today = datetime.now(UTC).date()
    async with runtime.db.session() as session:
        await hours.save(session, BusinessHoursIn("UTC", weekly, [HolidayIn(today, "Closed")]))
        await session.commit()


async def test_away_state_from_the_config_and_from_request_agent(
    visit: Visit, host_site: str, server: LiveServer, runtime: Runtime
) -> None:
    page = visit.page
    frame = await open_widget(page, host_site + "/")
    panel = frame.locator("section.panel")
    await expect(frame.get_by_test_id("away")).to_have_count(0)
    assert await panel.get_attribute("data-offline") is None

    # hours close while the visitor is on the page: asking for a person is answered offline
    await _close_today(runtime)
    await frame.get_by_role("button", name="Talk to a person").click()
    await expect(frame.get_by_test_id("away")).to_contain_text("We're away")
    await expect(frame.get_by_test_id("away-next-open")).to_contain_text("tomorrow at")
    await expect(panel).to_have_attribute("data-offline", "closed")
    await expect(frame.get_by_test_id("status-line")).not_to_contain_text("queue")
    # the offline form is offered in its place, and makes a ticket
    form = frame.get_by_test_id("offline-form")
    await expect(form).to_have_attribute("data-reason", "closed")
    await form.get_by_label("Email").fill("away@example.com")
    await form.get_by_label("How can we help?").fill("Please call me tomorrow.")
    await form.get_by_role("button", name="Send message").click()
    await expect(frame.get_by_test_id("ticket-number")).to_contain_text("#")

    # a fresh page load reads online: false from the config
    await page.reload()
    frame = widget(page)  # the panel reopens by itself (it was open before the reload)
    await expect(frame.get_by_test_id("away")).to_contain_text("We're back tomorrow at")
    await expect(frame.locator("section.panel")).to_have_attribute("data-offline", "closed")
    assert not visit.problems, visit.problems


async def test_spa_route_changes_reach_the_live_list(
    visit: Visit, host_site: str, server: LiveServer, runtime: Runtime
) -> None:
    page = visit.page
    await open_widget(page, host_site + "/")
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        _, headers = await user_headers(http, runtime, "agent")

        async def pages() -> list[str]:
            r = await http.get("/api/v1/visitors/live", headers=headers)
            return [i["page_url"] for i in r.json()["items"]]

        await wait_for(lambda: _nonempty(pages))
        await page.evaluate(
            "history.pushState({}, '', '/pricing'); document.title = 'Pricing plans'"
        )

        async def moved() -> bool:
            return any(u.endswith("/pricing") for u in await pages())

        await wait_for(moved, timeout=10)
        await page.go_back()

        async def back() -> bool:
            return any(not u.endswith("/pricing") for u in await pages())

        await wait_for(back, timeout=10)


async def _nonempty(fetch: object) -> bool:
    return bool(await fetch())  # type: ignore[operator]


async def test_a_proactive_rule_opens_the_widget_with_its_message(
    visit: Visit, host_site: str, server: LiveServer, runtime: Runtime
) -> None:
    async with runtime.db.session() as session:
        rule = ProactiveRule(url_pattern=f"{host_site}/*", delay_seconds=1, text="Need a hand?")
        await save_rules(session, ProactiveRules([rule]))
        await session.commit()
    page = visit.page
    await page.goto(host_site + "/")
    frame = widget(page)
    # nobody clicks the launcher: the rule opens the panel with its message
    await expect(frame.get_by_test_id("welcome")).to_contain_text("Need a hand?", timeout=10_000)


async def test_the_header_says_how_fast_the_team_usually_replies(
    visit: Visit, host_site: str, runtime: Runtime
) -> None:
    await first_replies(runtime, [45.0, 80.0, 150.0, 170.0, 900.0])  # median 150 s
    frame = await open_widget(visit.page, host_site + "/")
    line = frame.get_by_test_id("status-line")
    await expect(line).to_contain_text("the team typically replies in a few minutes")
    assert not visit.problems, visit.problems
