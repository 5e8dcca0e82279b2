"""The blind index, kept by the ORM: every flush that adds a message or visitor, or changes
a message's text or a visitor's name or email, writes their tokens in the same transaction.
(The widget's batched hot path writes them in its own statement: conversations/batch.py.)"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, event, insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, attributes

from baton.conversations.models import Message
from baton.keys.models import MessageToken, VisitorToken
from baton.kit.crypto import keyring
from baton.visitors.models import Visitor

VISITOR_FIELDS = ("name", "email")
# Baton's own notices ("you are in the queue") are not searched: every conversation has them
UNINDEXED_SENDERS = frozenset({"system"})


def message_terms(message: Any) -> list[int]:
    return [] if message.sender in UNINDEXED_SENDERS else keyring.terms([message.text])


def visitor_terms(visitor: Any) -> list[int]:
    return keyring.terms([visitor.name, visitor.email])


def _changed(obj: Any, fields: tuple[str, ...]) -> bool:
    return any(attributes.get_history(obj, f).has_changes() for f in fields)


@event.listens_for(Session, "after_flush")
def _index_flushed(session: Session, _context: Any) -> None:
    message_rows: list[dict[str, Any]] = []
    visitor_rows: list[dict[str, Any]] = []
    stale_messages, stale_visitors = [], []
    for obj in session.new:
        if isinstance(obj, Message):
            message_rows += [{"token": t, "message_id": obj.id} for t in message_terms(obj)]
        elif isinstance(obj, Visitor):
            visitor_rows += [{"token": t, "visitor_id": obj.id} for t in visitor_terms(obj)]
    for obj in session.dirty:
        if isinstance(obj, Message) and _changed(obj, ("text",)):
            stale_messages.append(obj.id)
            message_rows += [{"token": t, "message_id": obj.id} for t in message_terms(obj)]
        elif isinstance(obj, Visitor) and _changed(obj, VISITOR_FIELDS):
            stale_visitors.append(obj.id)
            visitor_rows += [{"token": t, "visitor_id": obj.id} for t in visitor_terms(obj)]
    if not (message_rows or visitor_rows or stale_messages or stale_visitors):
        return
    conn = session.connection()
    if stale_messages:
        conn.execute(delete(MessageToken).where(MessageToken.message_id.in_(stale_messages)))
    if stale_visitors:
        conn.execute(delete(VisitorToken).where(VisitorToken.visitor_id.in_(stale_visitors)))
    if message_rows:
        conn.execute(insert(MessageToken), message_rows)
    if visitor_rows:
        conn.execute(insert(VisitorToken), visitor_rows)


async def index_message(session: AsyncSession, values: dict[str, Any]) -> None:
    """The tokens of a message inserted with a Core statement (which the ORM hook cannot see)."""
    terms = [] if values["sender"] in UNINDEXED_SENDERS else keyring.terms([values["text"]])
    rows = [{"token": t, "message_id": values["id"]} for t in terms]
    if rows:
        await session.execute(insert(MessageToken), rows)
