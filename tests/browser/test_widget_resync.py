"""The widget on ``resync``: the api's realtime fan-out was down while the visitor's socket stayed
connected, so an agent's reply stored meanwhile never reached it as an event. On ``resync`` the
widget asks ``sync {after_id}`` and shows what it missed, once, with the current status."""

from __future__ import annotations

import uuid

import pytest
from playwright.async_api import expect
from sqlalchemy import select

from baton.conversations.models import Conversation, Message
from baton.db.base import utcnow
from baton.runtime import Runtime
from tests.browser.test_widget import SLOW
from tests.browser.widget_fixtures import (
    Agent,
    ScriptedBot,
    Visit,
    agent,
    host_site,
    open_widget,
    scripted_bot,
    send,
    visit,
)
from tests.support import wait_for

pytestmark = pytest.mark.browser
__all__ = ["agent", "host_site", "scripted_bot", "visit"]  # fixtures used by name

MISSED = "Your parcel left our warehouse today."


async def _only_conversation(runtime: Runtime) -> uuid.UUID:
    async with runtime.db.session() as session:
        ids = (await session.scalars(select(Conversation.id))).all()
        assert len(ids) == 1, ids
        return ids[0]


async def _store_silently(runtime: Runtime, conversation_id: uuid.UUID, agent: Agent) -> None:
    """An agent's reply stored with no event reaching the visitor (as when the process that
    stored it could not publish through Redis)."""
    async with runtime.db.session() as session:
        session.add(
            Message(
                conversation_id=conversation_id,
                sender="agent",
                text=MISSED,
                author_name=agent.name,
                created_at=utcnow(),
            )
        )
        await session.commit()


async def test_the_widget_fetches_what_it_missed_on_resync(
    visit: Visit, host_site: str, agent: Agent, scripted_bot: ScriptedBot, runtime: Runtime
) -> None:
    frame = await open_widget(visit.page, host_site + "/")
    await send(frame, "Where is my parcel?")
    answer = frame.locator('.msg[data-sender="bot"][data-state="sent"]')
    await expect(answer).to_have_count(1, timeout=SLOW)
    conversation_id = await _only_conversation(runtime)
    taken = await agent.client.call("take_over", {"conversation_id": str(conversation_id)})
    assert taken["conversation"]["status"] == "agent", taken
    status = frame.get_by_test_id("status-line")
    await expect(status).to_have_text("You are chatting with a person")

    await _store_silently(runtime, conversation_id, agent)
    missed = frame.locator('.msg[data-sender="agent"]').filter(has_text=MISSED)
    await expect(missed).to_have_count(0)  # no event: the widget cannot know yet

    assert runtime.sio is not None
    # what the fan-out sends every /widget socket of its process once Redis is back
    await runtime.sio.emit("resync", {"reason": "realtime_restored"}, namespace="/widget")
    await expect(missed).to_have_count(1, timeout=SLOW)
    await expect(missed.locator(".author")).to_have_text("Dana Agent")
    await expect(status).to_have_text("You are chatting with Dana Agent")

    # a second resync fetches nothing new and duplicates nothing
    await runtime.sio.emit("resync", {"reason": "realtime_restored"}, namespace="/widget")
    await send(frame, "Thanks!")
    mine = frame.locator('.msg[data-sender="visitor"][data-state="sent"]').filter(
        has_text="Thanks!"
    )
    await expect(mine).to_have_count(1, timeout=SLOW)

    async def stored() -> bool:
        async with runtime.db.session() as session:
            texts = (
                await session.scalars(
                    select(Message.text).where(Message.conversation_id == conversation_id)
                )
            ).all()
            return "Thanks!" in texts

    await wait_for(stored, timeout=10)
    await expect(missed).to_have_count(1)
    await expect(frame.locator('.msg[data-sender="visitor"]')).to_have_count(2)
    assert not visit.problems, visit.problems
