"""The rules of a rating: the conversation is resolved, 1-5, at most one per conversation.
Services flush, never commit: the unit of work does (and then the events go out)."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from baton.conversations.events import ConversationChanged
from baton.conversations.models import Conversation
from baton.csat.events import CsatSubmitted
from baton.csat.models import CsatResponse
from baton.kit.clock import clock
from baton.kit.errors import Conflict, Forbidden, NotFound, ValidationFailed
from baton.kit.uow import UnitOfWork
from baton.settings import Settings
from baton.workspace.service import get_config

MAX_COMMENT = 1000
# an emailed survey link stays valid this long after the ticket was resolved
LINK_TTL_SECONDS = 30 * 24 * 3600


def check_rating(rating: Any) -> int:
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationFailed("rating must be a whole number from 1 to 5", code="invalid_rating")
    return rating


def check_comment(comment: Any) -> str | None:
    if comment is None:
        return None
    if not isinstance(comment, str) or len(comment) > MAX_COMMENT:
        raise ValidationFailed(
            f"comment must be text of at most {MAX_COMMENT} characters", code="invalid_comment"
        )
    return comment.strip() or None


async def rating_of(uow: UnitOfWork, conversation_id: uuid.UUID) -> CsatResponse | None:
    found: CsatResponse | None = await uow.session.scalar(
        select(CsatResponse).where(CsatResponse.conversation_id == conversation_id)
    )
    return found


async def submit(
    uow: UnitOfWork,
    conversation: Conversation,
    *,
    rating: Any,
    comment: Any = None,
    channel: str,
) -> CsatResponse:
    """Store the visitor's rating of a resolved conversation, once."""
    value = check_rating(rating)
    text = check_comment(comment)
    config = await get_config(uow.session)
    if not config.csat_enabled:
        raise Conflict("satisfaction surveys are switched off", code="csat_disabled")
    if conversation.status != "resolved":
        raise Conflict("only a resolved conversation can be rated", code="not_resolved")
    if await rating_of(uow, conversation.id) is not None:
        raise Conflict("this conversation has been rated already", code="already_rated")
    row = CsatResponse(
        conversation_id=conversation.id,
        rating=value,
        comment=text,
        channel=channel,
        agent_id=conversation.assignee_id,
    )
    try:
        async with uow.session.begin_nested():  # a rating sent twice at once: one wins
            uow.session.add(row)
            await uow.session.flush()
    except IntegrityError:
        raise Conflict("this conversation has been rated already", code="already_rated") from None
    uow.record(
        CsatSubmitted(
            response_id=row.id,
            conversation_id=conversation.id,
            rating=value,
            comment=text,
            channel=channel,
            agent_id=row.agent_id,
            submitted_at=row.created_at.isoformat(),
        )
    )
    uow.record(ConversationChanged(conversation.id))  # the inbox shows the rating
    return row


# -- the emailed survey's signed link ------------------------------------------------------
def _signature(settings: Settings, conversation_id: uuid.UUID, expires: int) -> str:
    key = hashlib.sha256(b"baton-csat-link:" + settings.secret_key.encode()).digest()
    return hmac.new(key, f"{conversation_id}.{expires}".encode(), hashlib.sha256).hexdigest()


def survey_token(settings: Settings, conversation_id: uuid.UUID, now: float | None = None) -> str:
    expires = int((now or clock.now().timestamp()) + LINK_TTL_SECONDS)
    return f"{conversation_id}.{expires}.{_signature(settings, conversation_id, expires)}"


def survey_url(settings: Settings, conversation_id: uuid.UUID, rating: int | None = None) -> str:
    token = survey_token(settings, conversation_id)
    url = f"{settings.public_url.rstrip('/')}/api/v1/csat/survey/{token}"
    return f"{url}?rating={rating}" if rating is not None else url


def conversation_of_token(settings: Settings, token: str) -> uuid.UUID:
    """The conversation a survey link is for; 404 for something that is not a survey link,
    403 for a forged or an old one."""
    try:
        raw_id, raw_expires, signature = token.split(".")
        conversation_id, expires = uuid.UUID(raw_id), int(raw_expires)
    except ValueError:  # not the shape of a survey link at all
        raise NotFound("no such survey", code="unknown_link") from None
    expected = _signature(settings, conversation_id, expires)
    if not hmac.compare_digest(expected.encode(), signature.encode()):
        raise Forbidden("this survey link is not valid", code="invalid_link")
    if expires < clock.now().timestamp():
        raise Forbidden("this survey link has expired", code="link_expired")
    return conversation_id


async def conversation_for_link(uow: UnitOfWork, token: str) -> Conversation:
    conversation = await uow.session.get(
        Conversation, conversation_of_token(uow.runtime.settings, token)
    )
    if conversation is None:
        raise NotFound("no such conversation")
    return conversation
