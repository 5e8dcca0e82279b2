"""Who may be told about a conversation: the same rule as who may open it
(``conversations.policy``), so a notification never leaks a conversation to someone who
would get a 404 for it."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable

from sqlalchemy import select

from baton.auth.permissions import Permission, permissions_for_role
from baton.auth.principal import Principal
from baton.conversations import policy
from baton.conversations.models import Conversation, Message
from baton.kit.uow import UnitOfWork
from baton.users.models import User

_MENTION = re.compile(r"(?<![\w.])@([\w.\-]+)")  # not the @ inside an email address


def _principal(user: User) -> Principal:
    return Principal("user", user.id, user.name, user.role, permissions_for_role(user.role))


async def _people(uow: UnitOfWork, only: Iterable[uuid.UUID] | None) -> list[User]:
    stmt = select(User).where(User.is_active.is_(True), User.deleted_at.is_(None))
    if only is not None:
        ids = list(only)
        if not ids:
            return []
        stmt = stmt.where(User.id.in_(ids))
    return list(await uow.session.scalars(stmt.order_by(User.id)))


async def with_permission(uow: UnitOfWork, permission: Permission) -> list[User]:
    """Active people whose role grants ``permission`` (workspace alerts, not conversations)."""
    return [u for u in await _people(uow, None) if _principal(u).has(permission)]


async def who_may_see(
    uow: UnitOfWork, conversation: Conversation, only: Iterable[uuid.UUID] | None = None
) -> list[User]:
    """Active people with inbox access who may read ``conversation`` (of ``only``, if given)."""
    out = []
    for user in await _people(uow, only):
        principal = _principal(user)
        if principal.has(Permission.CONVERSATIONS_READ) and policy.can_read(
            principal, conversation
        ):
            out.append(user)
    return out


async def mentioned(
    uow: UnitOfWork, conversation: Conversation, text: str, author_id: uuid.UUID | None
) -> list[User]:
    """``@dana``, ``@dana.smith`` or ``@DanaSmith``: first name, full name without spaces,
    or the email's local part, among people who may see the conversation."""
    handles = {h.lower().rstrip(".") for h in _MENTION.findall(text)}
    if not handles:
        return []

    def names(user: User) -> set[str]:
        full = user.name.lower()
        return {
            full.replace(" ", ""),
            full.split(" ")[0] if full else "",
            user.email.split("@")[0].lower(),
        } - {""}

    return [
        u for u in await who_may_see(uow, conversation) if u.id != author_id and names(u) & handles
    ]


async def last_visitor_words(uow: UnitOfWork, conversation_id: uuid.UUID) -> str | None:
    """What the visitor last said (never our own queue line or the bot's answer)."""
    text = await uow.session.scalar(
        select(Message.text)
        .where(
            Message.conversation_id == conversation_id,
            Message.sender == "visitor",
            Message.internal.is_(False),
        )
        .order_by(Message.created_at.desc(), Message.id.desc())
        .limit(1)
    )
    return text if text and text.strip() else None
