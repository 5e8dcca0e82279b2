"""Fixtures for the widget's browser tests: a customer site on its own origin, a visitor's
browser context, a scripted agent on /agent, and a streaming AI replier that says what we
expect (so a test can watch the stream arrive piece by piece).
"""

from __future__ import annotations

import asyncio
import importlib.util
import threading
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from baton.ai.replies import ReplyScheduler
from baton.conversations import recipients
from baton.conversations.messages import add_bot_message
from baton.conversations.models import Conversation
from baton.kit.ids import uuid7
from baton.kit.uow import unit_of_work
from baton.runtime import Runtime
from baton.settings import PROJECT_ROOT
from tests.factories import login, make_user
from tests.realtime.clients import RecordingClient
from tests.support import LiveServer, free_port

WIDGET_DIST = PROJECT_ROOT / "apps" / "widget" / "dist"


def require_widget_bundle() -> None:
    """Fail (not skip) when the widget was not built: scripts/test builds it first."""
    for name in ("loader.js", "frame.html"):
        if not (WIDGET_DIST / name).is_file():
            pytest.fail(f"{WIDGET_DIST / name} is missing: run `npm run build` in apps/widget")


def _demo_host_module() -> Any:
    spec = importlib.util.spec_from_file_location(
        "baton_demo_host", PROJECT_ROOT / "scripts" / "demo_host.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def host_site(server: LiveServer) -> Iterator[str]:
    """scripts/demo_host.py on another port: a different origin from the api, like a customer."""
    port = free_port()
    httpd = _demo_host_module().make_server("127.0.0.1", port, server.base_url)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    httpd.shutdown()
    httpd.server_close()


@dataclass
class Visit:
    """A visitor's browser (one context: its storage survives reloads and new tabs)."""

    context: Any
    page: Any
    problems: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def watch(self, page: Any) -> None:
        page.on(
            "console",
            lambda m: (
                self.problems.append(f"console.{m.type}: {m.text}") if m.type == "error" else None
            ),
        )
        page.on("pageerror", lambda e: self.problems.append(f"pageerror: {e}"))

        async def on_dialog(dialog: Any) -> None:
            self.dialogs.append(dialog.message)
            await dialog.dismiss()

        page.on("dialog", on_dialog)

    async def new_page(self) -> Any:
        page = await self.context.new_page()
        self.watch(page)
        return page


@pytest.fixture
async def visit(browser: Any, server: LiveServer) -> AsyncIterator[Visit]:
    require_widget_bundle()
    context = await browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(10_000)
    page = await context.new_page()
    v = Visit(context, page)
    v.watch(page)
    yield v
    await context.close()


def widget(page: Any) -> Any:
    """The chat app inside the iframe the loader mounted."""
    return page.frame_locator("iframe[data-baton=widget]")


async def open_widget(page: Any, url: str) -> Any:
    await page.goto(url)
    frame = widget(page)
    await frame.get_by_role("button", name="Open chat").click()
    await frame.get_by_role("textbox", name="Message").wait_for()
    return frame


async def send(frame: Any, text: str) -> None:
    box = frame.get_by_role("textbox", name="Message")
    await box.fill(text)
    await box.press("Enter")


# ---- the AI: a replier that streams a known answer in pieces ------------------------------

ANSWER_PARTS = ["Returns are ", "free within ", "30 days. ", "Details: https://acme.test/returns"]
ANSWER = "".join(ANSWER_PARTS)
SUGGESTIONS = ["How do I print a label?", "When do I get my refund?"]


@dataclass
class ScriptedBot:
    delay: float = 0.35
    replies: list[str] = field(default_factory=list)


@pytest.fixture
def scripted_bot(server: Any) -> Iterator[ScriptedBot]:
    """Installs a streaming replier in the api's reply scheduler (``ReplyScheduler``),
    emitting exactly what the real one does: typing, ``bot_stream`` deltas, then the stored
    ``bot_message``; the previous replier comes back afterwards."""
    scheduler = server.runtime.slot(ReplyScheduler)
    bot_state = ScriptedBot()
    previous = scheduler.replier

    async def reply(runtime: Runtime, conversation_id: uuid.UUID, message_id: uuid.UUID) -> None:
        answer_id = uuid7()
        typing = recipients.bot_typing_emission(conversation_id, True)
        await runtime.publisher.emit(
            typing.event, typing.payload, rooms=typing.rooms, namespace=typing.namespace
        )
        await asyncio.sleep(bot_state.delay)
        for part in ANSWER_PARTS:
            for e in recipients.bot_stream_emissions(conversation_id, answer_id, part):
                await runtime.publisher.emit(
                    e.event, e.payload, rooms=e.rooms, namespace=e.namespace
                )
            await asyncio.sleep(bot_state.delay)
        async with unit_of_work(runtime) as uow:
            conversation = await uow.session.get(Conversation, conversation_id)
            assert conversation is not None
            await add_bot_message(
                uow, conversation, text=ANSWER, suggestions=SUGGESTIONS, message_id=answer_id
            )
        bot_state.replies.append(str(message_id))

    scheduler.replier = reply
    yield bot_state
    scheduler.replier = previous


# ---- the agent: a real Socket.IO client on /agent -------------------------------------------


@dataclass
class Agent:
    client: RecordingClient
    token: str
    name: str
    email: str
    http: httpx.AsyncClient

    async def waiting_conversation(self) -> str:
        response = await self.http.get(
            "/api/v1/conversations",
            params={"status": "waiting"},
            headers={"Authorization": f"Bearer {self.token}"},
        )
        assert response.status_code == 200, response.text
        items = response.json()["items"]
        assert len(items) == 1, items
        return str(items[0]["id"])

    def messages_with(self, text: str) -> list[Any]:
        return [
            m["message"]
            for m in self.client.received.get("message_created", [])
            if m["message"]["text"] == text
        ]


@pytest.fixture
async def agent(server: LiveServer, runtime: Runtime) -> AsyncIterator[Agent]:
    user = await make_user(runtime, role="agent", name="Dana Agent", presence="online")
    async with httpx.AsyncClient(base_url=server.base_url, timeout=20) as http:
        token = await login(http, user.email)
        client = RecordingClient("/agent")
        await client.connect(server.base_url, auth={"token": token})
        yield Agent(client, token, user.name, user.email, http)
        await client.disconnect()


async def stored_count(runtime: Runtime, text: str) -> int:
    """How many stored messages carry ``text`` (a delivered-once check)."""
    from sqlalchemy import select

    from baton.conversations.models import Message

    async with runtime.db.session() as session:  # texts are sealed: compared once read
        return sum(1 for t in await session.scalars(select(Message.text)) if t == text)
