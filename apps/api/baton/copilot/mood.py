"""The visitor's sentiment from the LLM (when one is configured), then the waiting
conversation's priority (``conversations.priority``).

- A queued conversation's new visitor message is classified at once: its priority orders
  the queue.
- While the conversation is the AI's, the offline lexicon score is all it gets: nobody is
  waiting on a priority, and a second model request per message would double the model
  bill and compete with the reply's first token. When it is handed to a person, the
  visitor's last messages (those the priority reads) are classified then, together.

Runs as a task in the process that committed, off the visitor's path: the message already
carries the offline lexicon score (stored with it, no extra SQL), so a slow or failing model
changes nothing but the wait for a better score. When the model answers, the message's
``meta.sentiment`` becomes its score (``sentiment_source: "llm"``, the lexicon's kept as
``sentiment_lexicon``) and agents who have the conversation open get ``message_updated
{message}``.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from typing import Any

import msgspec
from sqlalchemy import select

from baton.ai import fleet
from baton.ai.setup_cache import SetupCache
from baton.conversations import priority
from baton.conversations.models import Conversation, Message
from baton.conversations.schemas import MessageOut
from baton.copilot import llm_sentiment
from baton.kit.uow import UnitOfWork, unit_of_work
from baton.realtime.rooms import AGENT_NS, conversation_room

log = logging.getLogger(__name__)

PRESENCE_TTL = 15.0  # seconds "is an LLM configured?" is trusted without a read


class LlmPresence:
    """Whether this workspace has an LLM provider, as last seen (``runtime.slot``): a
    conversation with the AI needs no task at all while there is none."""

    def __init__(self) -> None:
        self.seen: tuple[float, bool] | None = None

    def maybe(self) -> bool:
        """False only when a recent read found no LLM."""
        if self.seen is None or time.monotonic() - self.seen[0] > PRESENCE_TTL:
            return True
        return self.seen[1]

    def note(self, present: bool) -> None:
        self.seen = (time.monotonic(), present)

    def forget(self) -> None:
        self.seen = None


async def _llm_members(uow: UnitOfWork) -> list[fleet.Member]:
    if not uow.runtime.settings.llm_sentiment:
        return []
    members = [m for m in await uow.runtime.slot(SetupCache).members(uow) if m.kind != "builtin"]
    uow.runtime.slot(LlmPresence).note(bool(members))
    return members


async def _reassess(uow: UnitOfWork, conversation_id: uuid.UUID) -> None:
    conversation = await uow.session.get(Conversation, conversation_id)
    if conversation is not None:
        await priority.assess(uow, conversation)


async def after_visitor_message(
    runtime: Any, conversation_id: uuid.UUID, message_id: uuid.UUID
) -> None:
    """A queued conversation's new visitor message."""
    async with unit_of_work(runtime) as uow:
        message = await uow.session.get(Message, message_id)
        if message is None or message.sender != "visitor":
            return
        members = await _llm_members(uow)
        if not members:
            await _reassess(uow, conversation_id)
            return
        text = message.text
    await fleet.prepare(members, runtime.slot(fleet.FleetState))  # no transaction open
    found = await llm_sentiment.classify(members, text)
    async with unit_of_work(runtime) as uow:
        if found is not None:
            await _store(uow, message_id, found)
        await _reassess(uow, conversation_id)


async def after_handoff(runtime: Any, conversation_id: uuid.UUID) -> None:
    """The AI's conversation joined the queue: the visitor's last messages, scored by the
    lexicon only while it was the AI's, get the model's scores, and the priority is judged
    on them."""
    async with unit_of_work(runtime) as uow:
        members = await _llm_members(uow)
        if not members:
            return
        rows = await uow.session.scalars(
            select(Message)
            .where(Message.conversation_id == conversation_id, Message.sender == "visitor")
            .order_by(Message.id.desc())
            .limit(priority.WINDOW)
        )
        unscored = [(m.id, m.text) for m in rows if (m.meta or {}).get("sentiment_source") != "llm"]
    if not unscored:
        return
    await fleet.prepare(members, runtime.slot(fleet.FleetState))  # no transaction open
    scores = await asyncio.gather(*(llm_sentiment.classify(members, t) for _, t in unscored))
    async with unit_of_work(runtime) as uow:
        for (message_id, _), found in zip(unscored, scores, strict=True):
            if found is not None:
                await _store(uow, message_id, found)
        await _reassess(uow, conversation_id)


async def _store(uow: UnitOfWork, message_id: uuid.UUID, found: llm_sentiment.Classified) -> None:
    message = await uow.session.get(Message, message_id)
    if message is None:
        return
    meta = dict(message.meta or {})
    meta["sentiment_lexicon"] = meta.get("sentiment")
    meta.update(sentiment=found.score, sentiment_source="llm", sentiment_provider=found.provider)
    message.meta = meta
    await uow.session.flush()
    uow.publish(
        "message_updated",
        {"message": msgspec.to_builtins(MessageOut.of(message))},
        rooms=[conversation_room(message.conversation_id)],
        namespace=AGENT_NS,
    )
