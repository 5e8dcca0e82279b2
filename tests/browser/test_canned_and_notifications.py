"""Canned responses in the composer and the notifications bell, in real Chromium."""

from __future__ import annotations

import io
from typing import Any

import httpx
import polars as pl
import pytest
from playwright.async_api import expect

from baton.runtime import Runtime
from tests.browser.conftest import artifact, require_bundle
from tests.browser.test_inbox import sign_in, start_visitor
from tests.factories import bearer, login, make_user
from tests.support import LiveServer, wait_for

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _bundle() -> None:
    require_bundle("apps/admin_web/dist")


async def test_slash_ret_enter_puts_the_rendered_response_in_the_composer(
    page: Any, server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    agent = await make_user(runtime, role="agent", name="Dana", presence="online")
    headers = bearer(await login(client, agent.email))
    for shortcut, body in [
        ("returns", "Hi {{visitor.name}}, you can return it within 30 days. {{agent.name}}"),
        ("hello", "Hello {{visitor.name}}!"),
    ]:
        made = await client.post(
            "/api/v1/canned-responses",
            json={"shortcut": shortcut, "title": shortcut.title(), "body": body},
            headers=headers,
        )
        assert made.status_code == 201, made.text
    await sign_in(page, agent.email)
    visitor, conversation_id = await start_visitor(
        server.base_url, "Vera Visitor", "Can I return it?"
    )
    try:
        await visitor.call("request_agent", {})
        await page.locator(f'a[data-conversation-id="{conversation_id}"]').click()
        await page.get_by_role("button", name="Take over").click()
        composer = page.get_by_label("Reply to the visitor")
        await expect(composer).to_be_focused()
        # as an agent sees it: the composer now invites a reply (the take-over has landed)
        await expect(composer).to_have_attribute("placeholder", "Write a reply…")
        await composer.press_sequentially("/ret")
        option = page.get_by_role("option").filter(has_text="/returns")
        await expect(option).to_be_visible()
        await expect(option).to_have_attribute("aria-selected", "true")
        await expect(page.get_by_role("option").filter(has_text="/hello")).to_have_count(0)
        await page.screenshot(path=str(artifact("canned-picker.png")))
        await composer.press("Enter")
        rendered = "Hi Vera Visitor, you can return it within 30 days. Dana"
        await expect(composer).to_have_value(rendered)
        await expect(page.get_by_test_id("canned-picker")).to_have_count(0)
        # the text is there to edit; Enter now sends it
        await composer.press_sequentially(" :)")
        await composer.press("Enter")
        reply = await visitor.wait_for("agent_message")
        assert reply["text"] == rendered + " :)"
        # Esc closes the picker and leaves the text
        await composer.press_sequentially("/hel")
        await expect(page.get_by_role("option").filter(has_text="/hello")).to_be_visible()
        await composer.press("Escape")
        await expect(page.get_by_test_id("canned-picker")).to_have_count(0)
        await expect(composer).to_have_value("/hel")
        assert not page.problems, page.problems
    finally:
        await visitor.disconnect()


async def test_the_bell_counts_and_read_all_clears_every_tab(
    page: Any, server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    agent = await make_user(runtime, role="agent", name="Dana", presence="online")
    headers = bearer(await login(client, agent.email))
    await sign_in(page, agent.email)
    other_tab = await page.context.new_page()
    await other_tab.goto("/app/")
    await expect(other_tab.get_by_role("status").filter(has_text="Live")).to_be_visible()
    visitor, _ = await start_visitor(server.base_url, "Vera Visitor", "My order is late")
    try:
        await visitor.call("request_agent", {})

        async def unread() -> int:
            r = await client.get("/api/v1/notifications/unread-count", headers=headers)
            return int(r.json()["count"])

        # waiting, and the offer: Dana is the one online agent
        await wait_for(lambda: _equals(unread, 2))
        for tab in (page, other_tab):
            await expect(tab.get_by_test_id("unread-badge")).to_have_text("2")
        await page.get_by_role("button", name="Notifications, 2 unread").click()
        panel = page.get_by_role("dialog", name="Notifications")
        await expect(panel).to_contain_text("My order is late")  # the visitor's words
        await page.screenshot(path=str(artifact("notifications-panel.png")))
        await panel.get_by_role("button", name="Mark all read").click()
        for tab in (page, other_tab):
            await expect(tab.get_by_test_id("unread-badge")).to_have_count(0)
        # preferences are stored on the server
        await panel.get_by_role("button", name="Preferences").click()
        await panel.get_by_label("Waiting").click()

        async def kinds() -> list[str]:
            r = await client.get("/api/v1/notifications/preferences", headers=headers)
            return list(r.json()["kinds"])

        await expect(panel.get_by_label("Waiting")).not_to_be_checked()
        await wait_for(lambda: _lacks_waiting(kinds))
        assert not page.problems, page.problems
    finally:
        await visitor.disconnect()
        await other_tab.close()


async def _lacks_waiting(kinds: Any) -> bool:
    return "waiting" not in await kinds()


async def _equals(read: Any, value: int) -> bool:
    return bool(await read() == value)


async def test_console_import_shows_the_dry_run_report_then_imports(
    page: Any, server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    admin = await make_user(runtime, role="admin", name="Ana")
    rows = [{"shortcut": f"a{i}", "title": f"A {i}", "body": f"Body {i}"} for i in range(5)]
    rows[3]["body"] = ""
    buffer = io.BytesIO()
    pl.DataFrame(rows).write_excel(buffer)
    path = artifact("canned-import.xlsx")
    path.write_bytes(buffer.getvalue())
    await sign_in(page, admin.email)
    await page.goto("/app/#/admin/canned")
    await page.get_by_role("button", name="Import…").click()
    dialog = page.get_by_role("dialog", name="Import canned responses")
    await dialog.get_by_label("File").set_input_files(str(path))
    await dialog.get_by_role("button", name="Check file (dry run)").click()
    report = dialog.get_by_test_id("import-report")
    await expect(report).to_contain_text("Would create 4")
    await expect(report).to_contain_text("body is empty")
    await expect(report.locator("td").first).to_have_text("5")  # sheet row 5
    await dialog.get_by_role("button", name="Import 4 rows").click()
    table = page.get_by_role("table", name="Canned responses")
    await expect(table).to_contain_text("/a4")
    assert not page.problems, page.problems
