"""The analytics dashboard in Chromium, on figures seeded through the real sockets: a visitor
asks for a person, an agent takes over, replies and resolves; the tiles equal the REST
overview, the date range changes them, an export runs and downloads, another is seen
part-way (held after its first row) with its progress bar; the page fits from
390 to 1440 px; an agent without analytics:read gets neither the link nor the page."""

from __future__ import annotations

import asyncio
import csv
import io
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from playwright.async_api import expect

from baton.exports import sources
from baton.exports.service import ExportProgress
from baton.jobs.queues import InProcessQueue
from baton.runtime import Runtime
from tests.analytics.workload import build, reset_analytics
from tests.browser.conftest import artifact, require_bundle
from tests.browser.test_console_layout import assert_fits
from tests.browser.test_inbox import axe_violations, sign_in, start_visitor
from tests.factories import bearer, login, make_user
from tests.realtime.clients import RecordingClient
from tests.support import LiveServer

pytestmark = pytest.mark.browser

WIDTHS = {390: 844, 768: 1024, 1024: 768, 1440: 900}


@pytest.fixture(autouse=True)
def _bundle() -> None:
    require_bundle("apps/admin_web/dist")


def duration(seconds: float | None) -> str:
    """The dashboard's formatDuration (apps/admin_web/src/features/analytics/range.ts)."""
    if seconds is None:
        return "—"
    s = round(seconds)
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m {s % 60:02d}s"
    if s < 86_400:
        return f"{s // 3600}h {(s % 3600) // 60:02d}m"
    return f"{s // 86_400}d {(s % 86_400) // 3600}h"


def rate(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


async def _seed(server: LiveServer, client: httpx.AsyncClient, runtime: Runtime) -> list[Any]:
    """Three conversations today: one handed off, answered and resolved by Dana; one handed
    off and still waiting; one with the AI."""
    dana = await make_user(runtime, role="agent", name="Dana Agent", presence="online")
    agent = RecordingClient("/agent")
    await agent.connect(server.base_url, auth={"token": await login(client, dana.email)})
    answered, cid = await start_visitor(server.base_url, "Ann Answered", "Where is my order?")
    queued = await answered.call("request_agent", {})
    assert queued["status"] == "waiting", queued
    taken = await agent.call("take_over", {"conversation_id": cid})
    assert "error" not in taken, taken
    sent = await agent.call(
        "agent_message", {"conversation_id": cid, "client_id": "a1", "text": "On its way."}
    )
    assert "error" not in sent, sent
    done = await agent.call("resolve", {"conversation_id": cid})
    assert "error" not in done, done
    waiting, _ = await start_visitor(server.base_url, "Wes Waiting", "I need a person")
    assert (await waiting.call("request_agent", {}))["status"] == "waiting"
    bot, _ = await start_visitor(server.base_url, "Bo Bot", "What are your hours?")
    return [agent, answered, waiting, bot]


async def test_admin_reads_the_dashboard_and_exports(
    browser: Any,
    server: LiveServer,
    client: httpx.AsyncClient,
    runtime: Runtime,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await reset_analytics(runtime)
    admin = await make_user(runtime, role="admin", name="Ada Admin", presence="online")
    sockets = await _seed(server, client, runtime)
    today = datetime.now(UTC).date()
    headers = bearer(await login(client, admin.email))
    params = {"from": today.isoformat(), "to": today.isoformat(), "tz": "UTC"}
    response = await client.get("/api/v1/analytics/overview", params=params, headers=headers)
    rest = response.json()
    assert (rest["conversations"], rest["handed_off"], rest["resolved"]) == (3, 2, 1), rest
    assert rest["first_response_seconds_p50"] is not None

    context = await browser.new_context(
        base_url=server.base_url,
        viewport={"width": 1440, "height": 900},
        timezone_id="UTC",
        accept_downloads=True,
    )
    context.set_default_timeout(15_000)
    page = await context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    chart_requests: list[str] = []
    page.on("request", lambda r: chart_requests.append(r.url) if "AnalyticsPage" in r.url else None)
    try:
        await sign_in(page, admin.email)
        # the inbox did not load the dashboard's chunk (the chart library)
        assert chart_requests == []
        await page.get_by_role("link", name="Console").click()
        await (
            page.get_by_role("navigation", name="Console")
            .get_by_role("link", name="Analytics")
            .click()
        )
        await expect(page.get_by_role("heading", name="Analytics", exact=True)).to_be_visible()
        assert chart_requests, "the dashboard's chunk loads with its route"

        await page.get_by_label("Date range").select_option("today")
        tile = page.locator('[data-kpi="conversations"] .kpi-value')
        await expect(tile).to_have_text(str(rest["conversations"]))
        await expect(page.locator('[data-kpi="handoff_rate"] .kpi-value')).to_have_text(
            rate(rest["handoff_rate"])
        )
        await expect(page.locator('[data-kpi="ai_containment"] .kpi-value')).to_have_text(
            rate(rest["ai_containment_rate"])
        )
        await expect(page.locator('[data-kpi="first_response"] .kpi-value')).to_have_text(
            duration(rest["first_response_seconds_p50"])
        )
        await expect(page.locator('[data-kpi="resolution"] .kpi-value')).to_have_text(
            duration(rest["resolution_seconds_p50"])
        )
        # yesterday had nothing: the comparison says so
        await expect(page.locator('[data-kpi="conversations"] .kpi-delta')).to_contain_text("new")
        # the chart is drawn, the leaderboard lists Dana
        await expect(page.locator(".trend-canvas canvas").first).to_be_visible()
        board = page.get_by_role("table", name="Agent leaderboard")
        await expect(board.get_by_role("row").filter(has_text="Dana Agent")).to_contain_text("1")
        # the business-hours toggle (always open by default: the same figure)
        await page.get_by_label("Business hours only").check()
        await expect(page.locator('[data-kpi="first_response"] .kpi-detail')).to_contain_text(
            "wall clock"
        )
        await page.get_by_label("Business hours only").uncheck()

        # the agent filter: Dana's own figures
        await page.get_by_label("Agent", exact=True).select_option(label="Dana Agent")
        await expect(tile).to_have_text("1")
        await expect(page.locator('[data-kpi="handoff_rate"] .kpi-value')).to_have_text("—")
        await page.get_by_label("Agent", exact=True).select_option(label="All agents")
        await expect(tile).to_have_text(str(rest["conversations"]))

        # a custom range with nothing in it
        yesterday = (today - timedelta(days=1)).isoformat()
        await page.get_by_label("Date range").select_option("custom")
        await page.get_by_label("From", exact=True).fill(yesterday)
        await page.get_by_label("To", exact=True).fill(yesterday)
        await expect(tile).to_have_text("0")
        await expect(page.get_by_text("Nothing happened in this range")).to_be_visible()
        # a start after the end is explained, not fetched
        await page.get_by_label("From", exact=True).fill(today.isoformat())
        await expect(page.get_by_role("alert")).to_contain_text("start date is after the end")
        # over 400 days: the overview answers, the daily trend is refused with its reason
        await page.get_by_label("From", exact=True).fill((today - timedelta(days=500)).isoformat())
        await page.get_by_label("To", exact=True).fill(today.isoformat())
        await expect(page.get_by_role("alert")).to_contain_text("Could not load the trend")
        await expect(tile).to_have_text(str(rest["conversations"]))
        await page.get_by_label("Date range").select_option("today")
        await expect(tile).to_have_text(str(rest["conversations"]))

        # an export of the day's figures: it appears, runs, and downloads
        await page.get_by_label("What").select_option("analytics")
        await page.get_by_label("Format").select_option("csv")
        await page.get_by_role("button", name="Start export").click()
        item = page.locator(".export-item").first
        await expect(item).to_have_attribute("data-status", "done")
        await expect(item).to_contain_text("1 rows")
        async with page.expect_download() as info:
            await item.get_by_role("link", name="Download").click()
        download = await info.value
        assert download.suggested_filename.startswith("baton-analytics-")
        body = (await download.path()).read_text(encoding="utf-8")
        rows = list(csv.DictReader(io.StringIO(body)))
        assert len(rows) == 1 and rows[0]["day"] == today.isoformat()
        assert int(rows[0]["conversations"]) == rest["conversations"]

        # a messages export, held after its first one-row batch by a progress listener
        # (where the job runs in this process: the embedded default): the bar shows it
        # part-way, then it finishes
        await _export_seen_part_way(page, runtime, monkeypatch)
        assert problems == []
    finally:
        await context.close()
        for s in sockets:
            await s.disconnect()


async def _export_seen_part_way(page: Any, runtime: Runtime, monkeypatch: Any) -> None:
    in_process = isinstance(runtime.jobs, InProcessQueue)
    paused, release = asyncio.Event(), asyncio.Event()

    async def hold(export_id: Any, rows: int, total: int) -> None:
        paused.set()
        await release.wait()

    listeners = runtime.slot(ExportProgress).listeners
    if in_process:
        monkeypatch.setattr(sources, "BATCH", 1)
        listeners.append(hold)
    try:
        await page.get_by_label("What").select_option("messages")
        await page.get_by_role("button", name="Start export").click()
        item = page.locator(".export-item").first
        if in_process:
            await asyncio.wait_for(paused.wait(), timeout=15)
            await expect(item).to_have_attribute("data-status", "running")
            await expect(item.get_by_role("status")).to_have_text(re.compile(r"^1 of \d+ rows$"))
            bar = item.locator("progress")
            await expect(bar).to_have_attribute(
                "aria-label", re.compile(r"^Export progress, (?!0%)(?!100%)\d+%$")
            )
            release.set()
        await expect(item).to_have_attribute("data-status", "done")
        await expect(item.get_by_role("link", name="Download")).to_be_visible()
    finally:
        release.set()
        if hold in listeners:
            listeners.remove(hold)


async def test_agent_without_analytics_sees_no_dashboard(
    page: Any, server: LiveServer, runtime: Runtime
) -> None:
    agent = await make_user(runtime, role="agent", name="Nia Agent", presence="online")
    await sign_in(page, agent.email)
    await expect(page.get_by_role("link", name="Analytics")).to_have_count(0)
    await expect(page.get_by_role("link", name="Console")).to_have_count(0)
    await page.goto("/app/#/admin/analytics")
    await expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    await expect(page.get_by_text("analytics:read")).to_be_visible()
    await expect(page.locator(".kpi")).to_have_count(0)


@pytest.mark.parametrize("width", list(WIDTHS))
async def test_dashboard_fits_the_screen(
    browser: Any, server: LiveServer, runtime: Runtime, width: int
) -> None:
    """No horizontal overflow from a phone to a wide screen, with tiles, chart, leaderboard
    and an export listed (the labelled workload of tests/analytics, a custom range)."""
    admin = await make_user(runtime, role="admin", name="Ada Admin", presence="online")
    await build(runtime)
    context = await browser.new_context(
        base_url=server.base_url,
        viewport={"width": width, "height": WIDTHS[width]},
        is_mobile=width < 500,
        has_touch=width < 500,
        timezone_id="UTC",
    )
    context.set_default_timeout(15_000)
    page = await context.new_page()
    try:
        await sign_in(page, admin.email)
        await page.goto("/app/#/admin/analytics")
        await page.get_by_label("Date range").select_option("custom")
        await page.get_by_label("From", exact=True).fill("2026-11-02")
        await page.get_by_label("To", exact=True).fill("2026-11-04")
        await expect(page.locator('[data-kpi="conversations"] .kpi-value')).to_have_text("8")
        # the known workload's ratings: 5, 3, 4, 2, 5 -> 3 of 5 are 4 or 5
        csat = page.locator('[data-kpi="csat"]')
        await expect(csat.locator(".kpi-value")).to_have_text("60.0%")
        await expect(csat.locator(".kpi-detail")).to_contain_text("3 of 5 ratings")
        await expect(page.get_by_role("table", name="Agent leaderboard")).to_be_visible()
        await expect(page.locator(".trend-canvas canvas").first).to_be_visible()
        await page.get_by_role("button", name="Start export").click()
        await expect(page.locator(".export-item").first).to_have_attribute("data-status", "done")
        await assert_fits(page, f"analytics dashboard at {width}px")
        await page.screenshot(path=str(artifact(f"analytics-{width}.png")))
        if width == 1440:
            assert await axe_violations(page) == []
    finally:
        await context.close()
