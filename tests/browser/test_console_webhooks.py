"""The webhooks console page in real Chromium: an admin creates a webhook (the secret shown
once), an event reaches a local receiver, the delivery shows in the webhook's log with its
status, attempts, response and timing; Redeliver sends it again; disable and delete."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from playwright.async_api import expect

from baton.runtime import Runtime
from tests.browser.conftest import artifact, require_bundle
from tests.browser.test_console_admin import dialog, open_console
from tests.browser.test_console_layout import assert_fits
from tests.conversations.helpers import cid, visitor
from tests.support import LiveServer
from tests.webhooks.receiver import Receiver

pytestmark = pytest.mark.browser


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    r = await Receiver().start()
    yield r
    await r.stop()


async def test_admin_creates_a_webhook_and_sees_its_delivery(
    page: Any,
    server: LiveServer,
    client: httpx.AsyncClient,
    runtime: Runtime,
    receiver: Receiver,
) -> None:
    require_bundle("apps/admin_web/dist")
    await open_console(page, runtime, "/admin")
    nav = page.get_by_role("link", name="Webhooks")
    await nav.first.click()
    await expect(page.get_by_role("heading", name="Webhooks", level=1)).to_be_visible()
    await expect(page.get_by_text("No webhooks yet")).to_be_visible()

    await page.get_by_role("button", name="New webhook").click()
    form = dialog(page)
    await form.get_by_role("button", name="Create webhook").click()
    await expect(form.get_by_text("Choose at least one event.")).to_be_visible()
    await form.get_by_label("Endpoint URL").fill(receiver.url)
    await form.get_by_label("Description (optional)").fill("CRM")
    await form.get_by_label("message.created").check()
    await form.get_by_role("button", name="Create webhook").click()
    shown = dialog(page).get_by_label("Signing secret")
    await expect(shown).to_be_visible()
    secret = await shown.input_value()
    assert secret.startswith("whsec_")
    await dialog(page).get_by_role("button", name="Done").click()
    row = page.get_by_role("row").filter(has_text=receiver.url)
    await expect(row).to_contain_text("Active")
    await expect(row).to_contain_text("message.created")
    assert secret not in await page.content()  # shown once

    v, _ = await visitor(server.base_url)
    try:
        await v.call("user_message", {"client_id": cid(), "text": "Hello from the console test"})
    finally:
        await v.disconnect()
    await receiver.wait_for(lambda r: len(r.accepted()) >= 1)
    hit = receiver.accepted()[0]
    ts = hit.headers["X-Baton-Timestamp"]
    signed = hmac.new(secret.encode(), ts.encode() + b"." + hit.body, hashlib.sha256)
    assert hit.headers["X-Baton-Signature"] == f"sha256={signed.hexdigest()}"

    log = page.get_by_role("table", name=f"Deliveries to {receiver.url}")
    entry = log.get_by_role("row").filter(has_text="message.created").first
    await expect(entry).to_contain_text("delivered", timeout=15_000)
    await expect(entry).to_contain_text("HTTP 200")
    await expect(entry).to_contain_text(" ms")
    await entry.get_by_role("button", name="Details of delivery").click()
    await expect(dialog(page)).to_contain_text("1 attempt")
    await expect(dialog(page).get_by_label("Request body")).to_have_value(
        re.compile(r'"event": "message.created"')
    )
    await expect(dialog(page).get_by_label("Response body")).to_have_value('{"ok": true}')
    await page.screenshot(path=str(artifact("console-webhooks.png")))
    await page.keyboard.press("Escape")

    # the visitor's message and the AI's answer: two deliveries, both delivered
    rows = log.get_by_role("row").filter(has_text="message.created")
    await expect(rows).to_have_count(2)
    await expect(rows.filter(has_text="delivered")).to_have_count(2, timeout=15_000)
    texts = {json.loads(r.body)["data"]["message"]["text"] for r in receiver.accepted()}
    assert "Hello from the console test" in texts
    # the list and the log fit a phone's screen
    await page.set_viewport_size({"width": 390, "height": 844})
    await assert_fits(page, "webhooks page at 390px")
    await page.screenshot(path=str(artifact("console-webhooks-390.png")), full_page=True)
    await page.set_viewport_size({"width": 1366, "height": 768})
    before = len(receiver.accepted())
    await entry.get_by_role("button", name="Redeliver").click()
    await receiver.wait_for(lambda r: len(r.accepted()) > before)
    await expect(rows).to_have_count(3)

    await row.get_by_role("button", name=f"Disable {receiver.url}").click()
    await expect(row).to_contain_text("Disabled")
    await row.get_by_role("button", name=f"Delete {receiver.url}").click()
    await dialog(page).get_by_role("button", name="Delete webhook").click()
    await expect(page.get_by_text("No webhooks yet")).to_be_visible()
    assert (await client.get("/api/v1/webhooks", headers={})).status_code == 401
    assert page.problems == []
