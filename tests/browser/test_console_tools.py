"""The tool integrations console page in real Chromium: inline validation, an admin creates
an integration pointing at a local tool endpoint (tests/tools/endpoint.py), copies the secret
shown once, sees its tool, tries it (a signed call the endpoint verifies), sees a failing call
as an error; an agent gets "Not allowed" and a 403."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from playwright.async_api import expect

from baton.conversations.models import Conversation
from baton.runtime import Runtime
from baton.tools.models import ToolAction
from baton.visitors.models import Visitor
from tests.browser.conftest import artifact, require_bundle
from tests.browser.test_console_admin import dialog, open_console, unexpected
from tests.browser.test_inbox import sign_in
from tests.factories import bearer, login, make_user
from tests.tools.endpoint import ToolEndpoint

pytestmark = pytest.mark.browser

SCHEMA = '{"type": "object", "properties": {"email": {"type": "string"}}, "required": ["email"]}'


@pytest.fixture
async def endpoint() -> AsyncIterator[ToolEndpoint]:
    server = await ToolEndpoint().start()
    yield server
    await server.stop()


async def test_admin_creates_an_integration_and_sees_its_tool(
    page: Any, client: httpx.AsyncClient, runtime: Runtime, endpoint: ToolEndpoint
) -> None:
    require_bundle("apps/admin_web/dist")
    await open_console(page, runtime, "/admin")
    await (
        page.get_by_role("navigation", name="Console")
        .get_by_role("link", name="Tool integrations")
        .click()
    )
    await expect(page.get_by_role("heading", name="Tool integrations", level=1)).to_be_visible()
    await expect(page.get_by_text("No integrations yet")).to_be_visible()

    await page.get_by_role("button", name="New integration").click()
    form = dialog(page)
    # inline validation before anything is sent
    await form.get_by_label("Arguments (JSON schema)").fill("{not json")
    await form.get_by_label("Signing secret (optional)").fill("short")
    await form.get_by_role("button", name="Create integration").click()
    await expect(form.get_by_text("Give it a name (at most 80 characters).")).to_be_visible()
    await expect(form.get_by_text("Enter the endpoint's address")).to_be_visible()
    await expect(form.get_by_text("Give the tool a name.")).to_be_visible()
    await expect(form.get_by_text("Not valid JSON.")).to_be_visible()
    await expect(form.get_by_text("Use 16 to 200 characters.")).to_be_visible()
    await form.get_by_label("Signing secret (optional)").fill("")
    await form.get_by_label("Name", exact=True).fill("Shop backend")
    await form.get_by_label("Endpoint URL").fill(endpoint.url)
    await form.get_by_label("Tool name").fill("get_loyalty_points")
    await form.get_by_label("Description").fill("A customer's loyalty points.")
    await form.get_by_label("Policy").select_option("auto")
    await form.get_by_label("Arguments (JSON schema)").fill(SCHEMA)
    # a server refusal is shown in the form: an internal tool's name is taken
    await form.get_by_label("Tool name").fill("handoff_to_human")
    await form.get_by_role("button", name="Create integration").click()
    await expect(form.get_by_role("alert").filter(has_text="is taken")).to_be_visible()
    await form.get_by_label("Tool name").fill("get_loyalty_points")
    await form.get_by_role("button", name="Create integration").click()

    shown = dialog(page).get_by_label("Signing secret", exact=True)
    await expect(shown).to_be_visible()
    secret = await shown.input_value()
    assert secret.startswith("tlsec_")
    endpoint.secret = secret
    await dialog(page).get_by_role("button", name="Done").click()
    assert secret not in await page.content()  # shown once, write-only after

    row = page.get_by_role("row").filter(has_text="Shop backend")
    await expect(row).to_contain_text("On")
    tools = page.get_by_role("table", name="Tools of Shop backend")
    await expect(tools.get_by_role("row").filter(has_text="get_loyalty_points")).to_contain_text(
        "auto"
    )
    registry = await client.get(
        "/api/v1/tools",
        headers=bearer(
            await login(client, (await make_user(runtime, role="admin", name="Second Admin")).email)
        ),
    )
    assert "get_loyalty_points" in {t["name"] for t in registry.json()["items"]}

    # a trial call: signed with the secret, answered by the endpoint
    endpoint.results["get_loyalty_points"] = {"points": 420}
    trial = page.get_by_role("region", name="Try a tool").or_(page.locator("form.tool-trial"))
    await trial.get_by_label("Arguments (JSON)").fill('{"email": "sam@example.com"}')
    await trial.get_by_role("button", name="Call the tool").click()
    await expect(trial.get_by_role("status")).to_contain_text("get_loyalty_points answered")
    await expect(trial.get_by_role("status")).to_contain_text('"points": 420')
    assert endpoint.calls and endpoint.calls[-1].signature_ok
    # the endpoint failing: the error is shown, not a crash
    endpoint.mode = "error500"
    await trial.get_by_role("button", name="Call the tool").click()
    await expect(trial.get_by_role("status")).to_contain_text("get_loyalty_points failed")
    await expect(trial.get_by_role("status")).to_contain_text("HTTP 500")
    await page.screenshot(path=str(artifact("console-tools.png")), full_page=True)

    # a real call of its tool that failed during a conversation shows in its recent errors
    async with runtime.db.session() as session:
        visitor = Visitor(name="Sam")
        session.add(visitor)
        await session.flush()
        conversation = Conversation(visitor_id=visitor.id)
        session.add(conversation)
        await session.flush()
        session.add(
            ToolAction(
                conversation_id=conversation.id,
                tool="get_loyalty_points",
                source="http",
                policy="auto",
                arguments={"email": "sam@example.com"},
                status="failed",
                error="the tool endpoint did not answer within 10 s",
            )
        )
        await session.commit()
    errors = page.get_by_role("table", name="Recent errors of Shop backend")
    await expect(errors).to_contain_text("did not answer within 10 s", timeout=15_000)

    # edit: the secret field is empty (write-only) and a bad timeout is caught inline
    await row.get_by_role("button", name="Edit Shop backend").click()
    edit = dialog(page)
    await expect(edit.get_by_label("Replace the signing secret (optional)")).to_have_value("")
    await edit.get_by_label("Timeout (seconds)").fill("90")
    await edit.get_by_role("button", name="Save integration").click()
    await expect(edit.get_by_text("Between 0.5 and 60 seconds.")).to_be_visible()
    await edit.get_by_label("Timeout (seconds)").fill("5")
    await edit.get_by_role("button", name="Save integration").click()
    await expect(row).to_contain_text("5 s")

    await row.get_by_role("button", name="Delete Shop backend").click()
    await dialog(page).get_by_role("button", name="Delete integration").click()
    await expect(page.get_by_text("No integrations yet")).to_be_visible()
    assert unexpected(page, 422) == []


async def test_an_agent_is_not_allowed(
    page: Any, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    require_bundle("apps/admin_web/dist")
    agent = await make_user(runtime, role="agent", name="Dana Agent", presence="online")
    await sign_in(page, agent.email)
    await page.goto("/app/#/admin/ai/tools")
    await expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    await expect(page.get_by_role("link", name="Tool integrations")).to_have_count(0)
    token = await login(client, agent.email)
    response = await client.get("/api/v1/tools/integrations", headers=bearer(token))
    assert response.status_code == 403
    assert page.problems == []
