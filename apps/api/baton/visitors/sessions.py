"""Visitor sessions: a token (kept by the widget) resumes the visitor's open conversation
until it has been idle for ``BATON_SESSION_IDLE_MINUTES``; after that a fresh conversation
starts and the old one stays readable to agents."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated
from urllib.parse import urlsplit

import msgspec
from sqlalchemy import select
from sqlalchemy.orm import aliased

from baton.conversations.events import ConversationOpened
from baton.conversations.models import Conversation
from baton.db.base import utcnow
from baton.kit.errors import Conflict, Unauthorized, ValidationFailed
from baton.kit.uow import UnitOfWork
from baton.users.models import User
from baton.visitors.models import Visitor, VisitorSession


class VisitorInfo(msgspec.Struct, forbid_unknown_fields=False):
    name: Annotated[str, msgspec.Meta(max_length=120)] | None = None
    email: Annotated[str, msgspec.Meta(max_length=320)] | None = None
    page_url: Annotated[str, msgspec.Meta(max_length=2048)] | None = None
    page_title: Annotated[str, msgspec.Meta(max_length=300)] | None = None
    referrer: Annotated[str, msgspec.Meta(max_length=2048)] | None = None
    external_id: Annotated[str, msgspec.Meta(min_length=1, max_length=200)] | None = None
    timezone: Annotated[str, msgspec.Meta(max_length=64)] | None = None
    locale: Annotated[str, msgspec.Meta(max_length=32)] | None = None


@dataclass
class OpenedSession:
    session: VisitorSession
    conversation: Conversation
    visitor: Visitor
    token: str
    resumed: bool


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def checked_info(info: VisitorInfo) -> VisitorInfo:
    """What a page says about its visitor, validated: web addresses only (no ``javascript:``),
    a real email address, printable text."""
    from baton.users.service import normalise_email

    changes: dict[str, str | None] = {}
    for field in ("page_url", "referrer"):
        value = getattr(info, field)
        scheme = urlsplit(value.strip()).scheme.lower() if value and value.strip() else "https"
        if scheme not in ("http", "https"):
            raise ValidationFailed(f"visitor.{field} must be an http(s) address")
    if info.email is not None and info.email.strip():
        changes["email"] = normalise_email(info.email)
    for field in ("name", "page_title", "timezone", "locale", "external_id"):
        value = getattr(info, field)
        if value is not None and not value.isprintable():
            raise ValidationFailed(f"visitor.{field} must be printable text")
    return msgspec.structs.replace(info, **changes) if changes else info


def apply_visitor_info(
    visitor: Visitor, info: VisitorInfo | None, user_agent: str | None = None
) -> None:
    if info is not None:
        info = checked_info(info)
        for field in ("name", "email", "page_url", "page_title", "referrer", "timezone", "locale"):
            value = getattr(info, field)
            if value is not None and value.strip():
                setattr(visitor, field, value.strip())
    if user_agent:
        visitor.user_agent = user_agent[:512]


def idle_cutoff(uow: UnitOfWork) -> datetime:
    return utcnow() - timedelta(minutes=uow.runtime.settings.session_idle_minutes)


async def end_session(vs: VisitorSession, reason: str) -> None:
    if vs.ended_at is None:
        vs.ended_at = utcnow()
        vs.end_reason = reason


async def open_session(
    uow: UnitOfWork,
    *,
    token: str | None,
    info: VisitorInfo | None,
    user_agent: str | None,
    verified: Visitor | None = None,
) -> OpenedSession:
    """Resume the session behind ``token`` if it is alive; otherwise start a fresh one.

    ``verified``: the visitor the site proved (identity verification); a token of anyone
    else is not resumed. A token whose session the visitor ended never comes back to them:
    whoever holds it starts as a new visitor.
    """
    visitor: Visitor | None = verified
    if token:
        vs = await uow.session.scalar(
            select(VisitorSession).where(VisitorSession.token_hash == hash_token(token))
        )
        if vs is not None and (verified is None or vs.visitor_id == verified.id):
            alive = vs.ended_at is None and vs.last_seen_at > idle_cutoff(uow)
            if alive:
                found = await uow.session.get(Visitor, vs.visitor_id)
                conversation = await uow.session.get(Conversation, vs.conversation_id)
                if found is not None and conversation is not None:
                    vs.last_seen_at = utcnow()
                    apply_visitor_info(found, info, user_agent)
                    await uow.session.flush()
                    return OpenedSession(vs, conversation, found, token, resumed=True)
            ended_by_visitor = vs.end_reason == "ended"
            await end_session(vs, "expired")
            if visitor is None and not ended_by_visitor:
                visitor = await uow.session.get(Visitor, vs.visitor_id)
    if visitor is None:
        visitor = Visitor()
        uow.session.add(visitor)
    apply_visitor_info(visitor, info, user_agent)
    await uow.session.flush()
    return await _fresh_session(uow, visitor)


async def _fresh_session(uow: UnitOfWork, visitor: Visitor) -> OpenedSession:
    """A new conversation with the AI for ``visitor`` and a new session token for it."""
    conversation = Conversation(visitor_id=visitor.id, status="bot")
    uow.session.add(conversation)
    await uow.session.flush()
    uow.record(ConversationOpened(conversation.id, visitor.id, channel="widget", status="bot"))
    raw = secrets.token_urlsafe(32)
    vs = VisitorSession(
        token_hash=hash_token(raw), visitor_id=visitor.id, conversation_id=conversation.id
    )
    uow.session.add(vs)
    await uow.session.flush()
    return OpenedSession(vs, conversation, visitor, raw, resumed=False)


async def start_over(
    uow: UnitOfWork, vs: VisitorSession, conversation: Conversation
) -> OpenedSession:
    """The visitor starts a new conversation after the last one was resolved: same visitor,
    a fresh conversation and a fresh session (one session is one conversation, so the old
    token keeps pointing at what it was and agents read the old thread untouched)."""
    if conversation.status != "resolved":
        raise Conflict(
            "this conversation is still open; it can be restarted once resolved",
            code="conversation_open",
        )
    await end_session(vs, "restarted")
    visitor = await uow.session.get(Visitor, vs.visitor_id)
    assert visitor is not None
    return await _fresh_session(uow, visitor)


TOUCH_EVERY = timedelta(seconds=30)  # last_seen_at is for idle expiry: minutes, not ms


async def live_session(uow: UnitOfWork, session_id: object) -> tuple[VisitorSession, Conversation]:
    """The socket's session, refreshed; an idle or ended one must be started again.

    One query loads the session, its conversation, the visitor and the assignee (the hot path
    of every visitor message), so later lookups hit the identity map.
    """
    assignee = aliased(User)
    row = (
        await uow.session.execute(
            select(VisitorSession, Conversation, Visitor, assignee)
            .join(Conversation, Conversation.id == VisitorSession.conversation_id)
            .join(Visitor, Visitor.id == VisitorSession.visitor_id)
            .outerjoin(assignee, assignee.id == Conversation.assignee_id)
            .where(VisitorSession.id == session_id)
        )
    ).first()
    now = utcnow()
    if row is None or row[0].ended_at is not None or row[0].last_seen_at <= idle_cutoff(uow):
        raise Unauthorized(
            "the session has expired; call start_session again", code="session_expired"
        )
    vs, conversation = row[0], row[1]
    uow.keep(*row)
    if vs.last_seen_at < now - TOUCH_EVERY:
        vs.last_seen_at = now
    return vs, conversation
