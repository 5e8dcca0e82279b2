"""Reading conversations: views, lists with filters and cursors, counts, transcripts."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import and_, distinct, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from baton.auth.principal import Principal
from baton.conversations.models import Conversation, ConversationEvent, Message
from baton.conversations.policy import scoped
from baton.conversations.priority import QUEUE_ORDER
from baton.conversations.schemas import ConversationOut, MessageOut, conversation_out
from baton.conversations.state import STATUSES
from baton.keys.models import MessageToken, VisitorToken
from baton.kit.crypto import keyring
from baton.kit.errors import NotFound, ValidationFailed
from baton.kit.pagination import keyset, page_cursor
from baton.kit.uow import UnitOfWork
from baton.users.models import User
from baton.visitors.models import Visitor


async def get_conversation(session: AsyncSession, conversation_id: uuid.UUID) -> Conversation:
    conversation = await session.get(Conversation, conversation_id)
    if conversation is None:
        raise NotFound("no such conversation")
    return conversation


async def get_conversation_with_people(uow: UnitOfWork, conversation_id: uuid.UUID) -> Conversation:
    """The conversation with its visitor and assignee in one statement: the view an action
    answers with then needs no read of its own."""
    row = (
        await uow.session.execute(
            select(Conversation, Visitor, User)
            .join(Visitor, Visitor.id == Conversation.visitor_id)
            .outerjoin(User, User.id == Conversation.assignee_id)
            .where(Conversation.id == conversation_id)
        )
    ).first()
    if row is None:
        raise NotFound("no such conversation")
    conversation, visitor, assignee = row
    uow.keep(visitor, assignee)
    return conversation


async def queue_position(session: AsyncSession, conversation: Conversation) -> int | None:
    if conversation.status != "waiting" or conversation.waiting_since is None:
        return None
    # ahead: a higher priority, or the same one and waiting longer (priority.QUEUE_ORDER)
    same = Conversation.priority == conversation.priority
    ahead = await session.scalar(
        select(func.count())
        .select_from(Conversation)
        .where(
            Conversation.status == "waiting",
            or_(
                Conversation.priority > conversation.priority,
                and_(same, Conversation.waiting_since < conversation.waiting_since),
                and_(
                    same,
                    Conversation.waiting_since == conversation.waiting_since,
                    Conversation.id < conversation.id,
                ),
            ),
        )
    )
    return int(ahead or 0) + 1


async def queue_position_in(uow: UnitOfWork, conversation: Conversation) -> int | None:
    """``queue_position``, computed once per unit of work (until a status changes)."""
    if conversation.status != "waiting":
        return None
    return await uow.memo(  # type: ignore[no-any-return]
        ("queue", conversation.id), lambda: queue_position(uow.session, conversation)
    )


async def waiting_positions(uow: UnitOfWork) -> dict[uuid.UUID, int]:
    """Every waiting conversation's place, once per unit of work."""

    async def compute() -> dict[uuid.UUID, int]:
        return {cid: i for i, cid in enumerate(await waiting_queue(uow.session), start=1)}

    return await uow.memo(("queue", "all"), compute)  # type: ignore[no-any-return]


async def waiting_queue(session: AsyncSession, limit: int = 500) -> list[uuid.UUID]:
    rows = await session.scalars(
        select(Conversation.id)
        .where(Conversation.status == "waiting")
        .order_by(*QUEUE_ORDER)
        .limit(limit)
    )
    return list(rows)


async def view(uow: UnitOfWork, conversation: Conversation) -> ConversationOut:
    session = uow.session
    visitor = await session.get(Visitor, conversation.visitor_id)
    assert visitor is not None
    assignee = (
        await session.get(User, conversation.assignee_id) if conversation.assignee_id else None
    )
    uow.keep(visitor, assignee)
    return conversation_out(
        conversation, visitor, assignee, await queue_position_in(uow, conversation)
    )


async def messages_of(
    session: AsyncSession,
    conversation_id: uuid.UUID,
    *,
    include_internal: bool,
    after: uuid.UUID | None = None,
    limit: int = 500,
    cursor: str | None = None,
) -> tuple[list[Message], str | None]:
    """Oldest first; ``after`` returns only what came after a message the client already has."""
    stmt = select(Message).where(Message.conversation_id == conversation_id)
    if not include_internal:
        stmt = stmt.where(Message.internal.is_(False))
    if after is not None:
        stmt = stmt.where(Message.id > after)
    stmt = keyset(stmt, [Message.id], descending=False, cursor=cursor, limit=limit)
    rows = list(await session.scalars(stmt))
    return page_cursor(rows, limit, lambda m: [m.id])


def matches_search(q: str) -> Any:
    """Conversations with a message (or a visitor name and email) holding every word of
    ``q``, each as a word or the beginning of one (3+ characters). Texts are sealed, so this
    reads the blind index (keys/search_index.py): HMACs of words, never the texts."""
    terms = keyring.query_terms(q)
    if not terms:
        return false()
    in_message = (
        select(MessageToken.message_id)
        .where(MessageToken.token.in_(terms))
        .group_by(MessageToken.message_id)
        .having(func.count(distinct(MessageToken.token)) == len(terms))
    )
    in_visitor = (
        select(VisitorToken.visitor_id)
        .where(VisitorToken.token.in_(terms))
        .group_by(VisitorToken.visitor_id)
        .having(func.count(distinct(VisitorToken.token)) == len(terms))
    )
    return or_(
        Conversation.visitor_id.in_(in_visitor),
        select(Message.id)
        .where(Message.conversation_id == Conversation.id, Message.id.in_(in_message))
        .exists(),
    )


def message_views(messages: list[Message]) -> list[MessageOut]:
    return [MessageOut.of(m) for m in messages]


def _parse_statuses(status: str | None) -> list[str] | None:
    if not status:
        return None
    values = [s.strip() for s in status.split(",") if s.strip()]
    bad = [s for s in values if s not in STATUSES]
    if bad:
        raise ValidationFailed(f"unknown status: {', '.join(bad)}; use {', '.join(STATUSES)}")
    return values


async def list_conversations(
    session: AsyncSession,
    *,
    principal: Principal,
    status: str | None,
    assignee: str | None,
    q: str | None,
    updated_since: datetime | None,
    include_empty: bool,
    limit: int,
    cursor: str | None,
    channel: str | None = None,
    visitor_id: uuid.UUID | None = None,
) -> tuple[list[ConversationOut], str | None]:
    me = principal.user_id
    assignee_user = aliased(User)
    stmt: Any = scoped(
        select(Conversation, Visitor, assignee_user)
        .join(Visitor, Visitor.id == Conversation.visitor_id)
        .outerjoin(assignee_user, assignee_user.id == Conversation.assignee_id),
        principal,
    )
    statuses = _parse_statuses(status)
    if statuses:
        stmt = stmt.where(Conversation.status.in_(statuses))
    if assignee:
        if assignee == "me":
            if me is None:
                raise ValidationFailed("assignee=me needs a signed-in user")
            stmt = stmt.where(Conversation.assignee_id == me)
        elif assignee == "none":
            stmt = stmt.where(Conversation.assignee_id.is_(None))
        else:
            try:
                stmt = stmt.where(Conversation.assignee_id == uuid.UUID(assignee))
            except ValueError as exc:
                raise ValidationFailed("assignee must be me, none or a user id") from exc
    if updated_since is not None:
        stmt = stmt.where(Conversation.updated_at >= updated_since)
    if visitor_id is not None:  # one visitor's conversations (the inbox's "previous" list)
        stmt = stmt.where(Conversation.visitor_id == visitor_id)
    if not include_empty:
        stmt = stmt.where(Conversation.last_message_at.is_not(None))
    # email conversations are tickets, answered in the Tickets view (by email), unless asked for
    stmt = stmt.where(
        Conversation.channel == channel if channel else Conversation.channel != "email"
    )
    if q and q.strip():
        stmt = stmt.where(matches_search(q[:200]))
    # the queue is served as it is worked (highest priority, then the longest wait:
    # priority.QUEUE_ORDER); everything else most recently updated first
    waiting_only = statuses == ["waiting"]
    if waiting_only:
        stmt = keyset(
            stmt,
            [Conversation.priority, Conversation.waiting_since, Conversation.id],
            descending=(True, False, False),
            cursor=cursor,
            limit=limit,
        )
    else:
        stmt = keyset(
            stmt,
            [Conversation.updated_at, Conversation.id],
            descending=True,
            cursor=cursor,
            limit=limit,
        )
    rows = (await session.execute(stmt)).all()
    kept, next_cursor = page_cursor(
        rows,
        limit,
        (lambda r: [r[0].priority, r[0].waiting_since, r[0].id])
        if waiting_only
        else (lambda r: [r[0].updated_at, r[0].id]),
    )
    positions: dict[uuid.UUID, int] = {}
    if any(r[0].status == "waiting" for r in kept):
        positions = {cid: i + 1 for i, cid in enumerate(await waiting_queue(session))}
    items = [conversation_out(c, v, a, positions.get(c.id)) for c, v, a in kept]
    return items, next_cursor


async def counts(session: AsyncSession, principal: Principal) -> dict[str, int]:
    me = principal.user_id
    visible = Conversation.last_message_at.is_not(None) & (Conversation.channel != "email")
    rows = await session.execute(
        scoped(select(Conversation.status, func.count()), principal)
        .where(visible)
        .group_by(Conversation.status)
    )
    by_status = {status: int(n) for status, n in rows.all()}
    mine = 0
    if me is not None:
        mine = int(
            await session.scalar(
                select(func.count())
                .select_from(Conversation)
                .where(visible, Conversation.assignee_id == me, Conversation.status != "resolved")
            )
            or 0
        )
    unassigned = int(
        await session.scalar(
            scoped(select(func.count()).select_from(Conversation), principal).where(
                visible,
                Conversation.assignee_id.is_(None),
                Conversation.status.in_(("bot", "waiting")),
            )
        )
        or 0
    )
    return {
        "waiting": by_status.get("waiting", 0),
        "mine": mine,
        "bot": by_status.get("bot", 0),
        "unassigned": unassigned,
        "agent": by_status.get("agent", 0),
        "resolved": by_status.get("resolved", 0),
        "all": sum(by_status.values()),
    }


async def transitions_of(
    session: AsyncSession, conversation_id: uuid.UUID
) -> list[ConversationEvent]:
    rows = await session.scalars(
        select(ConversationEvent)
        .where(ConversationEvent.conversation_id == conversation_id)
        .order_by(ConversationEvent.id)
    )
    return list(rows)
