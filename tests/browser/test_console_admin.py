"""The admin console in real Chromium against a live api: each page's main task end to end,
checked where the change acts (the API, a visitor's socket, a new widget session)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from playwright.async_api import expect

from baton.runtime import Runtime
from baton.workspace.service import clear_config_cache, get_config
from tests.ai.fakes import FakeLLM, Script
from tests.ai.helpers import add_provider
from tests.browser.conftest import require_bundle
from tests.browser.test_inbox import axe_violations, sign_in, start_visitor
from tests.browser.widget_fixtures import Visit, host_site, open_widget, visit  # noqa: F401
from tests.factories import bearer, login, make_user
from tests.realtime.clients import RecordingClient
from tests.support import LiveServer

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _bundle() -> None:
    require_bundle("apps/admin_web/dist")


async def open_console(page: Any, runtime: Runtime, path: str) -> Any:
    admin = await make_user(runtime, role="admin", name="Ada Admin", presence="online")
    await sign_in(page, admin.email)
    await page.goto(f"/app/#{path}")
    return admin


def dialog(page: Any) -> Any:
    return page.get_by_role("dialog")


def unexpected(page: Any, *expected_statuses: int) -> list[str]:
    """Console errors, less the failed requests a test provoked on purpose (a 409 it showed)."""
    allowed = [f"status of {status} " for status in expected_statuses]
    return [p for p in page.problems if not any(a in p for a in allowed)]


def toast(page: Any, text: str) -> Any:
    return page.get_by_test_id("toast").filter(has_text=text)


async def test_admin_manages_users(page: Any, client: httpx.AsyncClient, runtime: Runtime) -> None:
    admin = await make_user(runtime, role="admin", name="Ada Admin", presence="online")
    await sign_in(page, admin.email)
    # the console is reached from the main navigation, its pages from the console's
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Console").click()
    console_nav = page.get_by_role("navigation", name="Console")
    for label in (
        "Users",
        "API keys",
        "AI providers",
        "AI settings",
        "Auto-replies",
        "Knowledge base",
        "Workspace",
        "Widget",
    ):
        await expect(console_nav.get_by_role("link", name=label, exact=True)).to_be_visible()
    await console_nav.get_by_role("link", name="Users").click()
    await expect(page.get_by_role("heading", name="Users", exact=True)).to_be_visible()
    assert await axe_violations(page) == []

    # inline validation before anything is sent
    await page.get_by_role("button", name="New user").click()
    form = dialog(page)
    await form.get_by_role("button", name="Create user").click()
    await expect(form.get_by_text("Enter an email address")).to_be_visible()
    await expect(form.get_by_text("At least 8 characters.")).to_be_visible()

    # a server error is shown as the server says it: the email is taken
    await form.get_by_label("Email").fill(admin.email)
    await form.get_by_label("Password").fill("long-enough-1")
    await form.get_by_role("button", name="Create user").click()
    await expect(form.get_by_role("alert").filter(has_text="already")).to_be_visible()

    await form.get_by_label("Email").fill("nina@example.com")
    await form.get_by_label("Name").fill("Nina New")
    await form.get_by_role("button", name="Create user").click()
    await expect(toast(page, "nina@example.com can now sign in")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="nina@example.com")
    await expect(row).to_contain_text("agent")
    await login(client, "nina@example.com", "long-enough-1")

    # role change
    await row.get_by_role("button", name="Edit nina@example.com").click()
    await dialog(page).get_by_label("Role").select_option("admin")
    await dialog(page).get_by_role("button", name="Save").click()
    await expect(row).to_contain_text("admin")

    # reset password: the new one works, the old one no longer does
    await row.get_by_role("button", name="Reset password of nina@example.com").click()
    await dialog(page).get_by_label("New password").fill("brand-new-pass-2")
    await dialog(page).get_by_role("button", name="Set password").click()
    await expect(toast(page, "New password set")).to_be_visible()
    await login(client, "nina@example.com", "brand-new-pass-2")
    old = await client.post(
        "/api/v1/auth/login", json={"email": "nina@example.com", "password": "long-enough-1"}
    )
    assert old.status_code == 401

    # deactivate: they cannot sign in any more
    await row.get_by_role("button", name="Deactivate nina@example.com").click()
    await expect(row).to_contain_text("Deactivated")
    refused = await client.post(
        "/api/v1/auth/login", json={"email": "nina@example.com", "password": "brand-new-pass-2"}
    )
    assert refused.status_code in (401, 403), refused.text
    await row.get_by_role("button", name="Reactivate nina@example.com").click()
    await expect(row).to_contain_text("Active")

    # delete
    await row.get_by_role("button", name="Delete nina@example.com").click()
    await dialog(page).get_by_role("button", name="Delete user").click()
    await expect(page.get_by_role("row").filter(has_text="nina@example.com")).to_have_count(0)
    assert unexpected(page, 409) == []


async def test_admin_creates_and_revokes_an_api_key(
    page: Any, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    await open_console(page, runtime, "/admin/api-keys")
    await page.get_by_role("button", name="New API key").click()
    await dialog(page).get_by_role("button", name="Create key").click()
    await expect(dialog(page).get_by_text("Give the key a name")).to_be_visible()
    await dialog(page).get_by_label("Name").fill("CRM sync")
    await dialog(page).get_by_role("button", name="Create key").click()
    shown = dialog(page).get_by_label("API key", exact=True)
    await expect(shown).to_be_visible()
    key = await shown.input_value()
    assert len(key) > 20
    ok = await client.get("/api/v1/conversations", headers=bearer(key))
    assert ok.status_code == 200, ok.text
    await dialog(page).get_by_role("button", name="Done").click()
    # shown once: the list only has the prefix
    row = page.get_by_role("row").filter(has_text="CRM sync")
    await expect(row).to_contain_text("Active")
    assert key not in await page.content()

    await row.get_by_role("button", name="Revoke CRM sync").click()
    await dialog(page).get_by_role("button", name="Revoke key").click()
    await expect(row).to_contain_text("Revoked")
    refused = await client.get("/api/v1/conversations", headers=bearer(key))
    assert refused.status_code == 401
    assert page.problems == []


async def test_new_welcome_message_shows_in_a_new_widget_session(
    page: Any,
    runtime: Runtime,
    visit: Visit,  # noqa: F811
    host_site: str,  # noqa: F811
) -> None:
    await open_console(page, runtime, "/admin/ai/settings")
    welcome = page.get_by_label("Welcome message")
    await expect(welcome).not_to_have_value("")
    await welcome.fill("")
    await page.get_by_label("Context window (messages)").fill("500")
    await page.get_by_role("button", name="Save AI settings").click()
    await expect(page.get_by_text("A whole number from 0 to 100.")).to_be_visible()
    await expect(page.get_by_text("Visitors need a first message")).to_be_visible()
    await page.get_by_label("Context window (messages)").fill("12")
    await welcome.fill("Hello {{visitor.name}} from **Acme**! See https://acme.test/help")
    await page.get_by_label("System prompt").fill("You are Acme's helpful assistant.")
    await page.get_by_label("Image-analysis prompt").fill("Read the screenshot's error first.")
    masking = page.get_by_label("Mask personal data sent to LLM providers")
    await expect(masking).not_to_be_checked()  # off by default
    await masking.check()
    await page.get_by_role("button", name="Save AI settings").click()
    await expect(toast(page, "AI settings saved")).to_be_visible()
    async with runtime.db.session() as session:
        clear_config_cache()
        saved = await get_config(session)
    assert saved.image_analysis_prompt == "Read the screenshot's error first."
    assert saved.redact_pii_in_prompts is True

    frame = await open_widget(visit.page, host_site + "/")
    greeting = frame.get_by_test_id("welcome")
    # the variable is filled, never shown as written: a visitor nobody knows yet is "there"
    await expect(greeting).to_contain_text("Hello there from Acme! See https://acme.test/help")
    # the widget renders the Markdown subset: bold and a real link, no literal asterisks
    await expect(greeting.locator("strong")).to_have_text("Acme")
    await expect(greeting.get_by_role("link", name="https://acme.test/help")).to_have_attribute(
        "href", "https://acme.test/help"
    )
    # the site tells the widget who the visitor is (demo host's button): their own name
    await visit.page.locator("#identify").click()
    await expect(greeting).to_contain_text("Hello Ada from Acme!")
    await expect(greeting).not_to_contain_text("{{")
    assert page.problems == []


async def test_provider_test_streams_the_sample_answer_as_it_arrives(
    page: Any, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    fake = await FakeLLM(key="sk-sample-key-0001").start()
    try:
        admin = await make_user(runtime, role="admin", name="Ada Admin", presence="online")
        headers = bearer(await login(client, admin.email))
        provider = await add_provider(
            client,
            headers,
            kind="openai",
            name="Streaming",
            model="gpt-fake",
            base_url=f"{fake.base_url}/v1",
            api_key=fake.key,
        )
        fake.script = Script(tokens=["Happy", " to", " help", " you."], mode="hold_after_first")
        await sign_in(page, admin.email)
        await page.goto("/app/#/admin/ai/providers")
        row = page.get_by_role("row").filter(has_text="Streaming")
        await row.get_by_role("button", name="Test Streaming").click()
        # the provider holds the rest of its answer: the page already shows the first words
        partial = page.get_by_test_id(f"sample-{provider['id']}")
        await expect(partial).to_contain_text("“Happy”")
        await expect(partial).to_contain_text("Answering")
        assert fake.held.is_set() and not fake.resume.is_set()
        fake.resume.set()
        result = page.get_by_test_id(f"check-{provider['id']}")
        await expect(result).to_contain_text("“Happy to help you.”")
        await expect(result).to_contain_text("OK")
        await expect(partial).to_have_count(0)
        assert page.problems == []
    finally:
        await fake.stop()


async def test_workspace_settings_handoff_phrase_takes_effect(
    page: Any, server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    admin = await open_console(page, runtime, "/admin/settings/workspace")
    await expect(page.get_by_role("heading", name="Workspace settings")).to_be_visible()
    phrases = page.get_by_label("Handoff phrases")
    await expect(phrases).not_to_have_value("")
    await phrases.fill("banana split\nsupervisor please")
    await page.get_by_label("Assignment mode").select_option("manual")
    await page.get_by_label("Capacity (open conversations per agent)").fill("7")
    offer = page.get_by_label("Offer timeout (seconds)")
    await offer.fill("5")
    await page.get_by_role("button", name="Save workspace settings").click()
    await expect(page.get_by_text("Between 10 and 3600 seconds.")).to_be_visible()
    await offer.fill("45")
    await page.get_by_label("AI keeps answering while the visitor waits").uncheck()
    await page.get_by_role("button", name="Save workspace settings").click()
    await expect(toast(page, "Workspace settings saved")).to_be_visible()

    token = await login(client, admin.email)
    saved = (await client.get("/api/v1/settings", headers=bearer(token))).json()
    assert saved["handoff_phrases"] == ["banana split", "supervisor please"]
    assert (
        saved["assignment_mode"],
        saved["max_open_per_agent"],
        saved["offer_timeout_seconds"],
    ) == ("manual", 7, 45)
    assert saved["ai_while_waiting"] is False

    # where it acts: a visitor saying the new phrase is queued for a person
    visitor, _ = await start_visitor(server.base_url, "Hana Handoff", "hi")
    try:
        await visitor.call("user_message", {"client_id": "v2", "text": "banana split"})
        await visitor.wait_for("status_changed", lambda d: d["status"] == "waiting")
    finally:
        await visitor.disconnect()
    assert page.problems == []


async def test_auto_reply_rule_with_tester_answers_visitors(
    page: Any, server: LiveServer, runtime: Runtime
) -> None:
    await open_console(page, runtime, "/admin/ai/auto-replies")
    await page.get_by_role("button", name="New rule").click()
    form = dialog(page)
    await form.get_by_role("button", name="Add rule").click()
    await expect(form.get_by_text("Add at least one pattern")).to_be_visible()
    await form.get_by_label("Name").fill("Phone number")
    await form.get_by_label("Match").select_option("contains")
    await form.get_by_label("Patterns").fill("phone number\ncall you")
    await form.get_by_label("Reply", exact=True).fill("Call us on 0800 123 456, 9-17 on weekdays.")
    await form.get_by_role("button", name="Add rule").click()
    row = page.get_by_role("row").filter(has_text="Phone number")
    await expect(row).to_contain_text("0800 123 456")

    tester = page.get_by_label("Visitor message")
    await tester.fill("Is there a phone number?")
    await page.get_by_role("button", name="Test", exact=True).click()
    await expect(page.get_by_test_id("rule-test-result")).to_contain_text("Matches Phone number")
    await tester.fill("Where is my parcel?")
    await page.get_by_role("button", name="Test", exact=True).click()
    await expect(page.get_by_test_id("rule-test-result")).to_contain_text("No rule matches")

    # where it acts: a visitor asking gets the fixed answer
    visitor = RecordingClient("/widget")
    await visitor.connect(server.base_url)
    try:
        await visitor.call("start_session", {"visitor": {"name": "Ravi"}})
        await visitor.call(
            "user_message", {"client_id": "v1", "text": "What is your phone number?"}
        )
        reply = await visitor.wait_for("bot_message")
        assert reply["text"] == "Call us on 0800 123 456, 9-17 on weekdays."
    finally:
        await visitor.disconnect()

    # disable, then delete
    await row.get_by_role("button", name="Disable Phone number").click()
    await expect(row).to_contain_text("Off")
    await row.get_by_role("button", name="Delete Phone number").click()
    await dialog(page).get_by_role("button", name="Delete rule").click()
    await expect(page.get_by_role("row").filter(has_text="Phone number")).to_have_count(0)
    assert page.problems == []


async def test_knowledge_base_articles_and_retrieval_preview(page: Any, runtime: Runtime) -> None:
    await open_console(page, runtime, "/admin/knowledge")
    await page.get_by_role("button", name="New article").click()
    form = dialog(page)
    await form.get_by_role("button", name="Add article").click()
    await expect(form.get_by_text("Give the article a title.")).to_be_visible()
    await form.get_by_label("Title").fill("Tent pole repairs")
    await form.get_by_label("Text").fill(
        "A broken tent pole is repaired for free within two years. Send it to our workshop."
    )
    await form.get_by_label("Tags").fill("repairs, tents")
    await form.get_by_role("button", name="Add article").click()
    row = page.get_by_role("row").filter(has_text="Tent pole repairs")
    await expect(row).to_contain_text("repairs")

    await page.get_by_label("A visitor's question").fill(
        "my tent pole is broken, can you repair it?"
    )
    await page.get_by_role("button", name="Preview").click()
    preview = page.get_by_test_id("retrieval-preview")
    await expect(preview.locator("li").first).to_contain_text("Tent pole repairs")
    await expect(preview).to_contain_text("confidence")

    await row.get_by_role("button", name="Edit Tent pole repairs").click()
    await dialog(page).get_by_label("Title").fill("Tent pole repairs (free)")
    await dialog(page).get_by_role("button", name="Save article").click()
    row = page.get_by_role("row").filter(has_text="Tent pole repairs (free)")
    await expect(row).to_be_visible()
    await row.get_by_role("button", name="Delete Tent pole repairs (free)").click()
    await dialog(page).get_by_role("button", name="Delete article").click()
    await expect(page.get_by_role("row").filter(has_text="Tent pole")).to_have_count(0)
    assert page.problems == []


async def test_ai_providers_add_test_reorder_disable_delete(
    page: Any, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    admin = await open_console(page, runtime, "/admin/ai/providers")
    token = await login(client, admin.email)

    async def add(kind: str, name: str, key: str | None = None) -> None:
        await page.get_by_role("button", name="Add provider").click()
        form = dialog(page)
        await form.get_by_label("Kind").select_option(kind)
        await form.get_by_label("Name").fill(name)
        if key:
            await form.get_by_label("API key", exact=True).fill(key)
        await form.get_by_role("button", name="Add provider").click()
        await expect(page.get_by_role("row").filter(has_text=name)).to_be_visible()

    await page.get_by_role("button", name="Add provider").click()
    # vision: on by default for OpenAI's own endpoint, off for a compatible server's URL
    await expect(dialog(page).get_by_label("Accepts images (vision)")).to_be_checked()
    await dialog(page).get_by_label("Base URL").fill("ftp://nope")
    await expect(dialog(page).get_by_label("Accepts images (vision)")).not_to_be_checked()
    await dialog(page).get_by_role("button", name="Add provider").click()
    await expect(dialog(page).get_by_text("Give it a name")).to_be_visible()
    await expect(dialog(page).get_by_text("A URL starting with http")).to_be_visible()
    await dialog(page).get_by_role("button", name="Close").click()

    await add("builtin", "KB first")
    await add("openai", "OpenAI backup", key="sk-test-secret-123")
    backup = page.get_by_role("row").filter(has_text="OpenAI backup")
    await expect(backup).to_contain_text("Stored")
    listed = (await client.get("/api/v1/ai/providers", headers=bearer(token))).json()["items"]
    assert [p["name"] for p in listed] == ["KB first", "OpenAI backup"]
    assert [p["vision"] for p in listed] == [False, True]
    assert "sk-test-secret-123" not in str(listed)  # keys are write-only
    assert "sk-test-secret-123" not in await page.content()

    # the test button calls the provider for real and shows what came back
    first = page.get_by_role("row").filter(has_text="KB first")
    await first.get_by_role("button", name="Test KB first").click()
    await expect(first.locator(".check-result")).to_contain_text("OK")

    # reorder: the backup goes first, in the API and in the fleet the next reply uses
    await backup.get_by_role("button", name="Move OpenAI backup up").click()
    await expect(toast(page, "Priority saved")).to_be_visible()
    listed = (await client.get("/api/v1/ai/providers", headers=bearer(token))).json()["items"]
    assert [p["name"] for p in listed] == ["OpenAI backup", "KB first"]
    fleet = (await client.get("/api/v1/ai/fleet", headers=bearer(token))).json()["members"]
    names = [m["name"] for m in fleet]
    assert names.index("OpenAI backup") < names.index("KB first")
    await expect(page.get_by_role("list", name="Fleet order").locator("li").first).to_contain_text(
        "OpenAI backup"
    )

    # disable and delete
    await backup.get_by_role("button", name="Disable OpenAI backup").click()
    await expect(backup).to_contain_text("Off")
    listed = (await client.get("/api/v1/ai/providers", headers=bearer(token))).json()["items"]
    assert [p["enabled"] for p in listed if p["name"] == "OpenAI backup"] == [False]
    await backup.get_by_role("button", name="Delete OpenAI backup").click()
    await dialog(page).get_by_role("button", name="Delete provider").click()
    await expect(page.get_by_role("row").filter(has_text="OpenAI backup")).to_have_count(0)
    assert page.problems == []


async def test_agent_reviews_ai_answers(
    page: Any, server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    visitor = RecordingClient("/widget")
    await visitor.connect(server.base_url)
    try:
        await visitor.call("start_session", {"visitor": {"name": "Quinn"}})
        await visitor.call("user_message", {"client_id": "v1", "text": "Do you sell gift cards?"})
        await visitor.wait_for("bot_message")
    finally:
        await visitor.disconnect()
    agent = await make_user(runtime, role="agent", name="Dana Agent", presence="online")
    await sign_in(page, agent.email)
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="AI answers").click()
    row = page.get_by_role("row").filter(has_text="Do you sell gift cards?")
    await expect(row).to_be_visible()
    await row.get_by_role("button", name="Mark bad").click()
    await expect(row).to_contain_text("bad")
    await row.get_by_role("button", name="Correct the answer").click()
    await (
        dialog(page).get_by_label("Correct answer").fill("Yes, from 10 to 200 euros, in the shop.")
    )
    await dialog(page).get_by_role("button", name="Save correction").click()
    await expect(row).to_contain_text("corrected")

    token = await login(client, agent.email)
    logs = (await client.get("/api/v1/ai/logs", headers=bearer(token))).json()["items"]
    mine = [x for x in logs if x["question"] == "Do you sell gift cards?"]
    assert mine and mine[0]["verdict"] == "corrected"
    assert mine[0]["correction"] == "Yes, from 10 to 200 euros, in the shop."

    # filters: nothing is "good" yet
    await page.get_by_label("Verdict").select_option("good")
    await expect(page.get_by_text("No AI answers match")).to_be_visible()
    assert page.problems == []


async def test_agent_sees_no_console_and_is_refused(
    page: Any, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    agent = await make_user(runtime, role="agent", name="Dana Agent", presence="online")
    await sign_in(page, agent.email)
    main_nav = page.get_by_role("navigation", name="Main")
    await expect(main_nav.get_by_role("link", name="Inbox")).to_be_visible()
    await expect(main_nav.get_by_role("link", name="Console")).to_have_count(0)
    await expect(page.get_by_role("navigation", name="Console")).to_have_count(0)
    for path in ("/admin/users", "/admin/ai/providers", "/admin/settings/widget"):
        await page.goto(f"/app/#{path}")
        await expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
        await expect(page.get_by_role("navigation", name="Console")).to_have_count(0)
    await page.goto("/app/#/admin")
    await expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    token = await login(client, agent.email)
    for path in ("/api/v1/users", "/api/v1/api-keys", "/api/v1/ai/providers", "/api/v1/settings"):
        response = await client.get(path, headers=bearer(token))
        assert response.status_code == 403, (path, response.text)
    assert page.problems == []


async def test_custom_role_limits_are_in_force(
    page: Any, browser: Any, server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    await open_console(page, runtime, "/admin/roles")
    await expect(page.get_by_role("heading", name="Roles", exact=True)).to_be_visible()
    await expect(page.get_by_role("row").filter(has_text="admin")).to_contain_text("built-in")
    await page.get_by_role("button", name="New role").click()
    form = dialog(page)
    await form.get_by_label("Name").fill("X")
    await form.get_by_role("button", name="Create role").click()
    await expect(form.get_by_text("2-32 characters")).to_be_visible()
    await form.get_by_label("Name").fill("kb-editor")
    await form.get_by_label("Description").fill("Writes help articles")
    await form.get_by_label("See conversations").uncheck()
    await form.get_by_label("Edit the knowledge base").check()
    await form.get_by_role("button", name="Create role").click()
    row = page.get_by_role("row").filter(has_text="kb-editor")
    await expect(row).to_contain_text("knowledge:manage")

    # a user with the new role
    await page.get_by_role("navigation", name="Console").get_by_role("link", name="Users").click()
    await page.get_by_role("button", name="New user").click()
    form = dialog(page)
    await form.get_by_label("Email").fill("kim@example.com")
    await form.get_by_label("Password").fill("kim-password-1")
    await form.get_by_label("Role").select_option("kb-editor")
    await form.get_by_role("button", name="Create user").click()
    await expect(page.get_by_role("row").filter(has_text="kim@example.com")).to_contain_text(
        "kb-editor"
    )

    # the role's limits, in the browser and at the API
    context = await browser.new_context(base_url=server.base_url)
    context.set_default_timeout(10_000)
    kim = await context.new_page()
    try:
        await kim.goto("/app/")
        await kim.get_by_label("Email").fill("kim@example.com")
        await kim.get_by_label("Password").fill("kim-password-1")
        await kim.get_by_role("button", name="Sign in").click()
        await kim.get_by_role("navigation", name="Main").get_by_role("link", name="Console").click()
        nav = kim.get_by_role("navigation", name="Console")
        await expect(nav.get_by_role("link")).to_have_text(["Knowledge base"])
        await expect(kim.get_by_role("heading", name="Knowledge base")).to_be_visible()
        await kim.goto("/app/#/admin/users")
        await expect(kim.get_by_role("heading", name="Not allowed")).to_be_visible()
    finally:
        await context.close()
    token = await login(client, "kim@example.com", "kim-password-1")
    assert (
        await client.get("/api/v1/knowledge/articles", headers=bearer(token))
    ).status_code == 200
    assert (await client.get("/api/v1/users", headers=bearer(token))).status_code == 403
    assert (await client.get("/api/v1/conversations", headers=bearer(token))).status_code == 403

    # the change is in the audit log, with its before/after
    await (
        page.get_by_role("navigation", name="Console").get_by_role("link", name="Audit log").click()
    )
    await page.get_by_label("Action").fill("roles.*")
    entry = page.get_by_role("row").filter(has_text="roles.created")
    await expect(entry).to_contain_text("kb-editor")
    await expect(entry).to_contain_text("knowledge:manage")
    await expect(entry).to_contain_text("Ada Admin")
    await page.get_by_label("Action").fill("")
    async with page.expect_download() as download_info:
        await page.get_by_role("button", name="Export CSV").click()
    download = await download_info.value
    csv = (await download.path()).read_text()
    assert "roles.created" in csv and "users.created" in csv

    # a role still held cannot be deleted: the server says why
    await page.get_by_role("navigation", name="Console").get_by_role("link", name="Roles").click()
    await (
        page.get_by_role("row")
        .filter(has_text="kb-editor")
        .get_by_role("button", name="Delete kb-editor")
        .click()
    )
    await dialog(page).get_by_role("button", name="Delete role").click()
    await expect(dialog(page).get_by_role("alert")).to_be_visible()
    assert unexpected(page, 409) == []


async def test_api_key_scopes_and_expiry(
    page: Any, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    await open_console(page, runtime, "/admin/api-keys")
    await page.get_by_role("button", name="New API key").click()
    form = dialog(page)
    await form.get_by_label("Name").fill("Read-only dashboard")
    for label in (
        "See every conversation (the All tab)",
        "Take over and reply",
        "Queue a conversation for a person",
        "Assign conversations to others",
        "Resolve conversations",
    ):
        await form.get_by_label(label).uncheck()
    await form.get_by_label("Expires on").fill("2099-12-31")
    await form.get_by_role("button", name="Create key").click()
    key = await dialog(page).get_by_label("API key", exact=True).input_value()
    await dialog(page).get_by_role("button", name="Done").click()
    row = page.get_by_role("row").filter(has_text="Read-only dashboard")
    await expect(row).to_contain_text("conversations:read")
    await expect(row).not_to_contain_text("conversations:reply")
    assert (await client.get("/api/v1/conversations", headers=bearer(key))).status_code == 200
    counts = await client.get("/api/v1/conversations?status=waiting", headers=bearer(key))
    assert counts.status_code == 200
    refused = await client.post(
        "/api/v1/conversations/00000000-0000-7000-8000-000000000000/resolve", headers=bearer(key)
    )
    assert refused.status_code == 403, refused.text
    assert page.problems == []


async def test_reordered_provider_answers_first(
    page: Any, server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    admin = await open_console(page, runtime, "/admin/ai/providers")
    token = await login(client, admin.email)
    for name in ("KB one", "KB two"):
        await page.get_by_role("button", name="Add provider").click()
        await dialog(page).get_by_label("Kind").select_option("builtin")
        await dialog(page).get_by_label("Name").fill(name)
        await dialog(page).get_by_role("button", name="Add provider").click()
        await expect(page.get_by_role("row").filter(has_text=name)).to_be_visible()
    two = page.get_by_role("row").filter(has_text="KB two")
    await two.get_by_role("button", name="Move KB two up").click()
    await expect(page.get_by_role("list", name="Fleet order").locator("li").first).to_contain_text(
        "KB two"
    )

    async def ask(text: str) -> None:
        visitor = RecordingClient("/widget")
        await visitor.connect(server.base_url)
        try:
            await visitor.call("start_session", {"visitor": {"name": "Olga"}})
            await visitor.call("user_message", {"client_id": "v1", "text": text})
            await visitor.wait_for("bot_message")
        finally:
            await visitor.disconnect()

    await ask("Which of you answers?")
    logs = (await client.get("/api/v1/ai/logs", headers=bearer(token))).json()["items"]
    assert [x["provider_name"] for x in logs if x["question"] == "Which of you answers?"] == [
        "KB two"
    ]
    # and the page shows the reply against the provider that gave it
    await page.reload()
    await expect(page.get_by_role("row").filter(has_text="KB two")).to_contain_text("1 replies")
    await expect(page.get_by_role("row").filter(has_text="KB one")).to_contain_text("no replies")
    assert page.problems == []
