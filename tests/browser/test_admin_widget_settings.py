"""An admin themes the widget and copies its embed snippet from the inbox app."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from playwright.async_api import expect

from baton.runtime import Runtime
from tests.browser.conftest import artifact
from tests.browser.test_inbox import sign_in
from tests.factories import make_user

pytestmark = pytest.mark.browser


async def test_admin_themes_the_widget(
    page: Any, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    admin = await make_user(runtime, role="admin", name="Ada")
    await sign_in(page, admin.email)
    await page.get_by_role("link", name="Console").click()
    await page.get_by_role("navigation", name="Console").get_by_role("link", name="Widget").click()
    await expect(page.get_by_role("heading", name="Website widget")).to_be_visible()
    snippet = page.get_by_label("Embed snippet")
    await expect(snippet).to_contain_text("/widget.js")

    await page.get_by_label("Title").fill("Acme help")
    await page.get_by_label("Launcher text").fill("Ask us")
    await page.get_by_label("Position").select_option("left")
    await page.get_by_label("Colour").fill("#0f766e")
    await page.get_by_role("button", name="Save").click()
    await expect(page.get_by_test_id("toast").filter(has_text="Saved")).to_be_visible()
    await page.screenshot(path=str(artifact("widget-settings.png")))

    config = (await client.get("/api/v1/widget/config")).json()
    assert (config["title"], config["launcher_text"], config["position"], config["color"]) == (
        "Acme help",
        "Ask us",
        "left",
        "#0f766e",
    )


async def test_agents_have_no_widget_settings(page: Any, runtime: Runtime) -> None:
    agent = await make_user(runtime, role="agent")
    await sign_in(page, agent.email)
    await expect(page.get_by_role("link", name="Console")).to_have_count(0)
