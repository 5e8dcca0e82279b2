"""The agent inbox in real Chromium against a live api, with a real Socket.IO visitor."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

import httpx
import pytest
from playwright.async_api import expect

from baton.runtime import Runtime
from baton.settings import PROJECT_ROOT
from tests.browser.conftest import artifact, require_bundle
from tests.browser.widget_fixtures import stored_count
from tests.factories import DEFAULT_PASSWORD, bearer, login, make_user
from tests.realtime.clients import RecordingClient, barrier
from tests.support import LiveServer, wait_for

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _bundle() -> None:
    require_bundle("apps/admin_web/dist")


async def sign_in(page: Any, email: str, password: str = DEFAULT_PASSWORD) -> None:
    await page.goto("/app/")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("tab", name="Waiting")).to_be_visible()
    await expect(page.get_by_role("status").filter(has_text="Live")).to_be_visible()


async def start_visitor(base_url: str, name: str, text: str) -> tuple[RecordingClient, str]:
    visitor = RecordingClient("/widget")
    await visitor.connect(base_url)
    start = await visitor.call(
        "start_session",
        {
            "visitor": {
                "name": name,
                "email": f"{name.split()[0].lower()}@example.com",
                "page_url": "https://shop.example/cart",
                "page_title": "Your cart",
                "timezone": "Asia/Tokyo",
            }
        },
    )
    assert "error" not in start, start
    ack = await visitor.call("user_message", {"client_id": "v1", "text": text})
    assert "error" not in ack, ack
    return visitor, str(start["conversation_id"])


def everything_received(client: RecordingClient) -> str:
    return json.dumps(client.received, default=str)


async def test_agent_takes_over_replies_notes_and_resolves(
    page: Any, server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    agent = await make_user(runtime, role="agent", name="Dana", presence="online")
    await sign_in(page, agent.email)
    waiting_tab = page.get_by_role("tab", name="Waiting")
    await expect(waiting_tab).to_have_attribute("aria-selected", "true")
    await expect(page.get_by_text("Nobody is waiting")).to_be_visible()

    visitor, conversation_id = await start_visitor(
        server.base_url, "Vera Visitor", "Where is my parcel?"
    )
    try:
        queued = await visitor.call("request_agent", {})
        assert queued["status"] == "waiting", queued

        # appears live in the queue, with its wait time and the tab count, and alerts the agent
        row = page.locator(f'a[data-conversation-id="{conversation_id}"]')
        await expect(row).to_be_visible()
        await expect(row).to_contain_text("Vera Visitor")
        await expect(row).to_contain_text("waiting")
        await expect(waiting_tab).to_contain_text("1")
        await expect(page.get_by_test_id("last-alert")).to_contain_text("waiting")
        await page.screenshot(path=str(artifact("inbox-waiting.png")))

        await row.click()
        transcript = page.get_by_role("log")
        await expect(transcript).to_contain_text("Where is my parcel?")
        details = page.get_by_role("complementary", name="Visitor details")
        await expect(details).to_contain_text("vera@example.com")
        await expect(details).to_contain_text("Your cart")
        await expect(details).to_contain_text("Asia/Tokyo")

        # Enter before taking over sends nothing, keeps the text and says why
        composer = page.get_by_label("Reply to the visitor")
        await composer.fill("Hello early")
        await composer.press("Enter")
        await expect(page.get_by_role("alert").filter(has_text="Not sent")).to_contain_text(
            "Take over to reply"
        )
        await expect(composer).to_have_value("Hello early")
        await composer.fill("")
        await expect(page.get_by_role("alert").filter(has_text="Not sent")).to_have_count(0)

        await page.get_by_role("button", name="Take over").click()
        await expect(page.locator(".conversation-header .badge")).to_have_text("With agent")
        await visitor.wait_for("status_changed", lambda d: d["status"] == "agent")
        await expect(page.get_by_label("Reply to the visitor")).to_be_focused()

        # Enter sends, Shift+Enter breaks the line; the server's ack marks it sent
        composer = page.get_by_label("Reply to the visitor")
        await composer.click()
        await composer.press_sequentially("Hi Vera,")
        await composer.press("Shift+Enter")
        await composer.press_sequentially("let me check.")
        await composer.press("Enter")
        await expect(composer).to_have_value("")
        reply = await visitor.wait_for("agent_message")
        assert reply["text"] == "Hi Vera,\nlet me check."
        assert reply["agent"]["name"] == "Dana"
        mine = page.locator("article.msg-agent").filter(has_text="let me check.")
        await expect(mine).to_contain_text("Sent")

        # an emoji from the palette lands at the caret (searched, picked, Escape closes)
        await composer.fill("Found it ")
        await page.get_by_role("button", name="Insert emoji").click()
        palette = page.get_by_role("dialog", name="Emoji")
        await palette.get_by_label("Search emoji").fill("thumbs")
        await palette.get_by_role("button", name="thumbs up yes ok").click()
        await expect(palette).to_have_count(0)
        await expect(composer).to_have_value("Found it 👍")
        await page.get_by_role("button", name="Insert emoji").click()
        await page.keyboard.press("Escape")
        await expect(page.get_by_role("dialog", name="Emoji")).to_have_count(0)
        await expect(page.get_by_role("button", name="Insert emoji")).to_be_focused()
        await composer.press("Enter")
        emoji = await visitor.wait_for("agent_message", lambda m: "👍" in m["text"])
        assert emoji["text"] == "Found it 👍"

        # the visitor types, then writes: both show up live
        await visitor.call("typing_start", {})
        await expect(page.get_by_text("Vera Visitor is typing…")).to_be_visible()
        await visitor.call("user_message", {"client_id": "v2", "text": "Thanks, order 1234."})
        await expect(transcript).to_contain_text("Thanks, order 1234.")
        await expect(page.get_by_text("Vera Visitor is typing…")).to_be_hidden()

        # an internal note: visibly different, and the visitor never receives it
        await page.get_by_label("Internal note").check()
        note = page.get_by_label("Internal note", exact=True).and_(page.locator("textarea"))
        await note.fill("VIP customer, refund without asking")
        await note.press("Enter")
        note_bubble = page.locator("article.msg-internal")
        await expect(note_bubble).to_contain_text("VIP customer, refund without asking")
        await expect(note_bubble).to_contain_text("Internal note")
        await expect(note_bubble).to_contain_text("Only agents can see this.")
        await page.screenshot(path=str(artifact("inbox.png")))

        # away from the conversation, a visitor message alerts the owner and updates the row
        await page.goto("/app/#/mine")
        await expect(page.get_by_role("log")).to_have_count(0)
        await visitor.call("user_message", {"client_id": "v3", "text": "Are you still there?"})
        await expect(page.get_by_test_id("last-alert")).to_contain_text(
            "New message from Vera Visitor"
        )
        mine_row = page.locator(f'a[data-conversation-id="{conversation_id}"]')
        await expect(mine_row).to_contain_text("Are you still there?")
        await mine_row.click()
        await expect(page.get_by_role("log")).to_contain_text("Are you still there?")

        await page.get_by_role("button", name="Resolve").click()
        await expect(page.locator(".conversation-header .badge")).to_have_text("Resolved")
        await visitor.wait_for("status_changed", lambda d: d["status"] == "resolved")
        await barrier(runtime, visitor)
        assert "VIP customer" not in everything_received(visitor)

        # signing out sets the agent away (no more offers) and survives a reload
        await page.get_by_role("button", name="Sign out").click()
        await expect(page.get_by_role("button", name="Sign in")).to_be_visible()
        await page.reload()
        await expect(page.get_by_role("button", name="Sign in")).to_be_visible()
        me = await client.get("/api/v1/me", headers=bearer(await login(client, agent.email)))
        assert me.json()["presence"] == "away"
        assert page.problems == []
    finally:
        await visitor.disconnect()


async def test_session_survives_reload_and_expiry_keeps_the_draft(
    page: Any, server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    agent = await make_user(runtime, role="agent", name="Sam")
    visitor, conversation_id = await start_visitor(server.base_url, "Ola Waiting", "Hello?")
    try:
        await visitor.call("request_agent", {})
        await sign_in(page, agent.email)
        await page.locator(f'a[data-conversation-id="{conversation_id}"]').click()
        await page.get_by_role("button", name="Take over").click()
        await expect(page.locator(".conversation-header .badge")).to_have_text("With agent")
        composer = page.get_by_label("Reply to the visitor")
        await composer.fill("Half-written answer")

        await page.reload()
        await expect(page.get_by_role("heading", name="Ola Waiting")).to_be_visible()
        await expect(page.get_by_label("Reply to the visitor")).to_have_value("Half-written answer")

        # revoke every token of this user: the next call is refused and sign-in comes back
        async with runtime.db.session() as session:
            from baton.users.models import User

            user = await session.get(User, agent.id)
            assert user is not None
            user.token_version += 1
            await session.commit()
        await page.reload()
        dialog = page.get_by_role("dialog")
        await expect(dialog).to_contain_text("Your session expired")
        await dialog.get_by_label("Password").fill(DEFAULT_PASSWORD)
        await dialog.get_by_role("button", name="Sign in").click()
        await expect(dialog).to_be_hidden()
        await expect(page.get_by_label("Reply to the visitor")).to_have_value("Half-written answer")
        await page.get_by_label("Reply to the visitor").press("Enter")
        reply = await visitor.wait_for("agent_message")
        assert reply["text"] == "Half-written answer"
        assert [p for p in page.problems if "401" not in p] == []
    finally:
        await visitor.disconnect()


async def test_inbox_resyncs_after_the_connection_drops(
    page: Any, server: LiveServer, runtime: Runtime
) -> None:
    agent = await make_user(runtime, role="admin", name="Ada")
    visitor, conversation_id = await start_visitor(server.base_url, "Rita Reconnect", "First")
    try:
        await sign_in(page, agent.email)
        await page.get_by_role("tab", name="All").click()
        row = page.locator(f'a[data-conversation-id="{conversation_id}"]')
        await row.click()
        transcript = page.get_by_role("log")
        await expect(transcript).to_contain_text("First")

        # the server drops the agent's socket; what happens meanwhile shows up after the reconnect
        assert runtime.sio is not None
        sids = [sid for sid, _ in runtime.sio.manager.get_participants("/agent", "agents")]
        assert sids
        for sid in sids:
            await runtime.sio.disconnect(sid, namespace="/agent")
        await visitor.call("user_message", {"client_id": "v2", "text": "Sent while you were away"})
        await visitor.call("request_agent", {})
        await expect(transcript).to_contain_text("Sent while you were away")
        await expect(row).to_contain_text("Waiting")
        await expect(page.get_by_role("status").filter(has_text="Live")).to_be_visible()
    finally:
        await visitor.disconnect()


async def test_ai_answer_streams_into_the_open_conversation(
    page: Any, server: LiveServer, runtime: Runtime
) -> None:
    from baton.ai.replies import ReplyScheduler
    from baton.conversations import recipients
    from baton.conversations.messages import add_bot_message
    from baton.conversations.models import Conversation
    from baton.kit.ids import uuid7
    from baton.kit.uow import unit_of_work

    parts = ["Parcels ", "usually arrive ", "within 3 days."]
    step = asyncio.Event()
    streamed = asyncio.Event()

    calls: list[Any] = []

    async def replier(rt: Runtime, conversation_id: Any, message_id: Any) -> None:
        calls.append(message_id)
        if len(calls) == 1:
            return  # the AI stays quiet on the opening message
        answer_id = uuid7()
        for i, part in enumerate(parts):
            if i == len(parts) - 1:
                streamed.set()
                await step.wait()  # the test looks at the half-streamed answer first
            for e in recipients.bot_stream_emissions(conversation_id, answer_id, part):
                await rt.publisher.emit(e.event, e.payload, rooms=e.rooms, namespace=e.namespace)
        async with unit_of_work(rt) as uow:
            conversation = await uow.session.get(Conversation, conversation_id)
            assert conversation is not None
            await add_bot_message(
                uow, conversation, text="".join(parts), suggestions=[], message_id=answer_id
            )

    admin = await make_user(runtime, role="admin", name="Ada")
    scheduler = runtime.slot(ReplyScheduler)
    previous = scheduler.replier
    scheduler.replier = replier
    try:
        visitor, conversation_id = await start_visitor(server.base_url, "Sol Streaming", "Hi there")
    except BaseException:
        scheduler.replier = previous
        raise
    try:
        await sign_in(page, admin.email)
        await page.goto(f"/app/#/all/{conversation_id}")
        transcript = page.get_by_role("log")
        await expect(transcript).to_contain_text("Hi there")
        await visitor.call("user_message", {"client_id": "v2", "text": "When will it arrive?"})
        await asyncio.wait_for(streamed.wait(), 10)
        streaming = page.locator(".msg-bot.streaming")
        await expect(streaming).to_contain_text("Parcels usually arrive")
        await expect(streaming).to_contain_text("writing")
        step.set()
        final = page.locator('article[data-sender="bot"]')
        await expect(final).to_have_count(1)
        await expect(final).to_contain_text("Parcels usually arrive within 3 days.")
        await expect(streaming).to_have_count(0)
        # still pinned to the newest message
        gap = await page.locator(".transcript").evaluate(
            "el => el.scrollHeight - el.scrollTop - el.clientHeight"
        )
        assert gap < 48
    finally:
        scheduler.replier = previous
        step.set()
        await visitor.disconnect()


async def test_unacknowledged_reply_is_resent_once_after_reconnect(
    page: Any, server: LiveServer, runtime: Runtime
) -> None:
    agent = await make_user(runtime, role="agent", name="Olu")
    visitor, conversation_id = await start_visitor(server.base_url, "Nia Network", "Anyone?")
    try:
        await visitor.call("request_agent", {})
        await sign_in(page, agent.email)
        await page.goto(f"/app/#/waiting/{conversation_id}")
        await page.get_by_role("button", name="Take over").click()
        await expect(page.locator(".conversation-header .badge")).to_have_text("With agent")

        # the network goes away: the socket drops and cannot come back
        await page.context.set_offline(True)
        assert runtime.sio is not None
        for sid, _ in list(runtime.sio.manager.get_participants("/agent", "agents")):
            await runtime.sio.disconnect(sid, namespace="/agent")
        await expect(page.get_by_role("status").filter(has_text="Reconnecting")).to_be_visible()
        composer = page.get_by_label("Reply to the visitor")
        await composer.fill("Typed while offline")
        await composer.press("Enter")
        pending = page.locator("article.msg-agent").filter(has_text="Typed while offline")
        await expect(pending).to_contain_text("Sending…")
        await barrier(runtime, visitor)
        assert "Typed while offline" not in everything_received(visitor)
        assert await stored_count(runtime, "Typed while offline") == 0

        await page.context.set_offline(False)
        await expect(pending).to_contain_text("Sent", timeout=15_000)
        await visitor.wait_for("agent_message", lambda d: d["text"] == "Typed while offline")
        await barrier(runtime, visitor)
        sent = [m for m in visitor.received["agent_message"] if m["text"] == "Typed while offline"]
        assert len(sent) == 1
        await expect(pending).to_have_count(1)
    finally:
        await visitor.disconnect()


async def test_admin_assigns_and_agent_sets_presence(
    page: Any, server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    admin = await make_user(runtime, role="admin", name="Ada", presence="online")
    await make_user(runtime, role="agent", name="Bo Agent", presence="online")
    visitor, conversation_id = await start_visitor(server.base_url, "Pia Assign", "Help")
    try:
        await visitor.call("request_agent", {})
        left = await visitor.call("leave_email", {"email": "pia.work@example.com"})
        assert "error" not in left, left
        await sign_in(page, admin.email)
        await expect(page.get_by_role("tab", name="All")).to_be_visible()
        await page.goto(f"/app/#/waiting/{conversation_id}")
        # the address the visitor left for a follow-up, beside the one the page gave
        await expect(page.get_by_test_id("follow-up-email")).to_contain_text("pia.work@example.com")
        assign = page.get_by_label("Assign to")
        await assign.focus()
        await expect(assign.locator("option", has_text="Bo Agent")).to_have_count(1)
        await assign.select_option(label="Bo Agent (online)")
        await expect(page.locator(".conversation-header")).to_contain_text("assigned to Bo Agent")
        await page.get_by_role("button", name="Release to AI").click()
        await expect(page.locator(".conversation-header .badge")).to_have_text("With AI")

        # search by email, then by message text, on the admins' All tab
        await page.get_by_role("tab", name="All").click()
        search = page.get_by_label("Search conversations")
        row = page.locator(f'a[data-conversation-id="{conversation_id}"]')
        await search.fill("pia@example")
        await expect(row).to_be_visible()
        await search.fill("no such words anywhere")
        await expect(row).to_have_count(0)
        await expect(page.get_by_text("No conversations match")).to_be_visible()
        await search.fill("help")
        await expect(row).to_be_visible()

        status = page.get_by_label("Status")
        await expect(status).to_have_value("online")
        await status.select_option("away")
        token = await page.evaluate("JSON.parse(localStorage.getItem('baton.session')).token")
        headers = {"Authorization": f"Bearer {token}"}

        async def presence() -> str:
            return str((await client.get("/api/v1/me", headers=headers)).json()["presence"])

        async def away() -> bool | None:
            return await presence() == "away" or None

        await wait_for(away, timeout=5)
    finally:
        await visitor.disconnect()


AXE = PROJECT_ROOT / "apps" / "admin_web" / "node_modules" / "axe-core" / "axe.min.js"


async def axe_violations(page: Any) -> list[str]:
    """Run axe-core (WCAG 2 A/AA rules, contrast included) on the current page."""
    # the inbox's CSP refuses inline scripts (add_script_tag); DevTools evaluation is not a page
    # script, so axe goes in that way and the page's policy stays as strict as in production
    await page.evaluate(AXE.read_text())
    result = await page.evaluate(
        """async () => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']}});
            return r.violations.map(v => `${v.id}: ${v.help} (${v.nodes.map(n => n.target.join(' ')).join(', ')})`);
        }"""
    )
    return list(result)


async def test_inbox_passes_axe_accessibility_checks(
    page: Any, server: LiveServer, runtime: Runtime
) -> None:
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run `npm install` in apps/admin_web")
    agent = await make_user(runtime, role="admin", name="Ada", presence="online")
    visitor, conversation_id = await start_visitor(
        server.base_url, "Ari Access", "Is this accessible?"
    )
    try:
        await page.goto("/app/")
        await expect(page.get_by_role("button", name="Sign in")).to_be_visible()
        assert await axe_violations(page) == []

        await visitor.call("request_agent", {})
        await sign_in(page, agent.email)
        await page.goto(f"/app/#/waiting/{conversation_id}")
        await page.get_by_role("button", name="Take over").click()
        await expect(page.locator(".conversation-header .badge")).to_have_text("With agent")
        composer = page.get_by_label("Reply to the visitor")
        await composer.fill("Yes, it is.")
        await composer.press("Enter")
        await page.get_by_label("Internal note").check()
        await expect(page.locator("article.msg-agent")).to_contain_text("Sent")
        assert await axe_violations(page) == []

        # keyboard only: the tabs move with the arrow keys and keep the conversation open
        await page.get_by_role("tab", name="Waiting").focus()
        await page.keyboard.press("ArrowRight")
        await expect(page.get_by_role("tab", name="Mine")).to_be_focused()
        await expect(page.get_by_role("tab", name="Mine")).to_have_attribute(
            "aria-selected", "true"
        )
        await expect(page.get_by_role("heading", name="Ari Access")).to_be_visible()
    finally:
        await visitor.disconnect()


async def test_an_agent_who_moves_on_during_a_take_over_stays_where_they_went(
    page: Any, server: LiveServer, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The take-over's answer used to navigate to the Mine tab whenever it arrived, pulling
    an agent who had meanwhile opened another page back to the inbox."""
    from baton.conversations import agent_realtime, lifecycle

    admin = await make_user(runtime, role="admin", name="Ada", presence="online")
    await sign_in(page, admin.email)
    visitor, conversation_id = await start_visitor(server.base_url, "Vera Visitor", "Hello?")
    release, held, answered = asyncio.Event(), asyncio.Event(), asyncio.Event()
    original_take_over, original_answer = lifecycle.take_over, agent_realtime._answer

    async def slow_take_over(*args: Any, **kwargs: Any) -> Any:
        held.set()
        await asyncio.wait_for(release.wait(), 15)
        return await original_take_over(*args, **kwargs)

    async def answer(*args: Any, **kwargs: Any) -> Any:
        try:
            return await original_answer(*args, **kwargs)
        finally:
            answered.set()  # the ack goes out right after this

    monkeypatch.setattr(lifecycle, "take_over", slow_take_over)
    monkeypatch.setattr(agent_realtime, "_answer", answer)
    bell = page.get_by_role("button", name=re.compile(r"^Notifications"))
    second = None
    try:
        await visitor.call("request_agent", {})
        await expect(bell).to_have_accessible_name(re.compile(r"unread"))
        await page.locator(f'a[data-conversation-id="{conversation_id}"]').click()
        await page.get_by_role("button", name="Take over").click()
        await asyncio.wait_for(held.wait(), 15)
        await page.goto("/app/#/admin/users")
        await expect(page.get_by_role("heading", name="Users", exact=True)).to_be_visible()
        release.set()
        await asyncio.wait_for(answered.wait(), 15)
        # a probe on the same socket: the next notification reaches the page after the ack
        before = await bell.get_attribute("aria-label")
        second, _ = await start_visitor(server.base_url, "Sam Second", "Anyone there?")
        await second.call("request_agent", {})
        await expect(bell).not_to_have_accessible_name(before or "")
        await expect(page.get_by_role("heading", name="Users", exact=True)).to_be_visible()
        assert page.url.endswith("#/admin/users"), page.url
    finally:
        release.set()
        await visitor.disconnect()
        if second is not None:
            await second.disconnect()
