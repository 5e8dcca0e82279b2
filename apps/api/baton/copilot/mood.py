"""After a visitor's message commits: its sentiment from the LLM (when one is configured),
then the waiting conversation's priority (``conversations.priority``).

Runs as a task in the process that committed, off the visitor's path: the message already
carries the offline lexicon score (stored with it, no extra SQL), so a slow or failing model
changes nothing but the wait for a better score. When the model answers, the message's
``meta.sentiment`` becomes its score (``sentiment_source: "llm"``, the lexicon's kept as
``sentiment_lexicon``) and agents who have the conversation open get ``message_updated
{message}``.
"""

from __future__ import annotations

import logging
import time
import uuid
from typing import Any

import msgspec

from baton.ai import fleet
from baton.ai.replies import ReplyScheduler
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
    runtime: Any, conversation_id: uuid.UUID, message_id: uuid.UUID, *, after_reply: bool = False
) -> None:
    """``after_reply``: the conversation is the AI's (not queued), so the score waits for the
    AI's answer to be out: the first token is what the visitor waits for, and there is no
    queue priority to re-judge yet. A queued conversation's score is asked at once (its
    priority orders the queue)."""
    if after_reply:
        await runtime.slot(ReplyScheduler).settled(conversation_id)
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
