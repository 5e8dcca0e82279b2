"""When the AI may answer, what a miss costs, and how it hands a conversation to a person."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value

from baton.conversations import lifecycle, queries
from baton.conversations.lifecycle import HandoffResult
from baton.conversations.models import Conversation
from baton.conversations.state import AI
from baton.kit.uow import UnitOfWork
from baton.workspace.service import get_config


async def ai_may_answer(uow: UnitOfWork, conversation: Conversation) -> bool:
    return await ai_may_answer_in(uow, conversation.status)


async def ai_may_answer_in(uow: UnitOfWork, status: str) -> bool:
    """Whether the AI answers a conversation in ``status``."""
    if status == "bot":
        return True
    if status == "waiting":
        return (await get_config(uow.session)).ai_while_waiting
    return False


async def record_ai_outcome(uow: UnitOfWork, conversation: Conversation, *, answered: bool) -> int:
    """Track consecutive no-answers (one UPDATE ... RETURNING); a second one hands off. An
    answer where no miss is counted (the conversation was just read) writes nothing."""
    if answered and conversation.ai_miss_streak == 0:
        return 0
    streak = 0 if answered else Conversation.ai_miss_streak + 1
    stored = await uow.session.scalar(
        update(Conversation)
        .where(Conversation.id == conversation.id)
        .values(ai_miss_streak=streak)
        .returning(Conversation.ai_miss_streak)
        .execution_options(synchronize_session=False)
    )
    set_committed_value(conversation, "ai_miss_streak", int(stored or 0))
    return conversation.ai_miss_streak


async def ai_handoff(uow: UnitOfWork, conversation: Conversation, *, reason: str) -> HandoffResult:
    """The AI decided a person should take over."""
    if conversation.status != "bot":
        return HandoffResult(
            conversation.status, await queries.queue_position_in(uow, conversation), False
        )
    return await lifecycle.request_handoff(uow, conversation, AI, reason=reason)
