"""Who reacts to what, for CSAT:

- a widget conversation is resolved: the visitor's widget gets ``csat_request`` (when the
  survey is on and the conversation is not rated yet);
- a ticket is resolved: the requester gets an emailed survey with signed links, queued in
  the mail outbox inside the same unit of work (a before-commit writer);
- ``CsatSubmitted``: agents looking at the conversation get ``csat_submitted``; webhooks send
  ``csat.submitted`` (webhooks/payloads.py); analytics counts ``csat_given`` facts from the
  ``csat_responses`` table (the fact source registered below).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from baton.analytics import facts as analytics
from baton.conversations.events import ConversationResolved
from baton.conversations.models import Conversation
from baton.csat import service, templates
from baton.csat.events import CsatSubmitted
from baton.csat.models import CsatResponse
from baton.kit.events import DomainEvent, listen, write_before_commit
from baton.kit.uow import UnitOfWork
from baton.mail import outbox
from baton.mail.models import OutboxEmail
from baton.mail.templates import Rendered
from baton.realtime.emission import Emission
from baton.realtime.rooms import AGENT_NS, VISITOR_NS, conversation_room, visitor_room
from baton.tickets.events import TicketStatusChanged
from baton.tickets.models import Ticket
from baton.workspace.service import get_config


def request_payload(conversation_id: uuid.UUID, question: str, delay: int) -> dict[str, Any]:
    return {"conversation_id": str(conversation_id), "question": question, "delay_seconds": delay}


@listen(ConversationResolved, name="csat.sockets.request")
async def ask_for_rating(runtime: Any, event: ConversationResolved) -> list[Emission]:
    async with runtime.db.session() as session:
        config = await get_config(session)
        if not config.csat_enabled:
            return []
        channel = await session.scalar(
            select(Conversation.channel).where(Conversation.id == event.conversation_id)
        )
        rated = await session.scalar(
            select(CsatResponse.id).where(CsatResponse.conversation_id == event.conversation_id)
        )
    if channel != "widget" or rated is not None:
        return []
    payload = request_payload(
        event.conversation_id, config.csat_question, config.csat_delay_seconds
    )
    return [Emission("csat_request", payload, (visitor_room(event.conversation_id),), VISITOR_NS)]


@listen(CsatSubmitted, name="csat.sockets.submitted")
def rating_to_agents(runtime: Any, event: CsatSubmitted) -> list[Emission]:
    payload = {
        "conversation_id": str(event.conversation_id),
        "rating": event.rating,
        "comment": event.comment,
        "channel": event.channel,
        "created_at": event.submitted_at,
    }
    return [
        Emission("csat_submitted", payload, (conversation_room(event.conversation_id),), AGENT_NS)
    ]


@write_before_commit
async def email_surveys(uow: UnitOfWork, events: list[DomainEvent]) -> None:
    resolved = [
        e for e in events if isinstance(e, TicketStatusChanged) and e.to_status == "resolved"
    ]
    if not resolved:
        return
    config = await get_config(uow.session)
    if not config.csat_enabled:
        return
    for event in resolved:
        ticket = await uow.session.get(Ticket, event.ticket_id)
        if ticket is None or await service.rating_of(uow, ticket.conversation_id) is not None:
            continue
        settings = uow.runtime.settings
        links = {n: service.survey_url(settings, ticket.conversation_id, n) for n in range(1, 6)}
        resolution = _resolution_email(uow, ticket.id)
        if resolution is not None:  # the survey rides in the "Resolved" email
            rendered = templates.with_survey(
                Rendered(resolution.subject, resolution.body_text, resolution.body_html),
                config.csat_question,
                links,
            )
            resolution.body_text, resolution.body_html = rendered.text, rendered.html
            continue
        outbox.queue(
            uow,
            kind="csat_survey",
            to=ticket.requester_email,
            rendered=templates.survey(
                ticket.number,
                ticket.subject,
                ticket.requester_name or "there",
                config.csat_question,
                links,
            ),
            ticket_id=ticket.id,
        )


def _resolution_email(uow: UnitOfWork, ticket_id: uuid.UUID) -> OutboxEmail | None:
    """The ``ticket_resolved`` email this unit of work queued for the ticket, if any."""
    for obj in list(uow.session.new) + list(uow.session.identity_map.values()):
        if (
            isinstance(obj, OutboxEmail)
            and obj.kind == "ticket_resolved"
            and obj.ticket_id == ticket_id
            and obj.status == "queued"
            and obj.attempts == 0
        ):
            return obj
    return None


# -- analytics: ratings are csat_given facts ------------------------------------------------
async def csat_facts(session: AsyncSession, ids: Sequence[uuid.UUID]) -> list[analytics.Fact]:
    rows = await session.execute(
        select(
            CsatResponse.conversation_id,
            CsatResponse.created_at,
            CsatResponse.rating,
            CsatResponse.agent_id,
            Conversation.channel,
        )
        .join(Conversation, Conversation.id == CsatResponse.conversation_id)
        .where(CsatResponse.conversation_id.in_(list(ids)))
    )
    return [
        analytics.Fact(
            r.created_at,
            analytics.CSAT_GIVEN,
            r.conversation_id,
            agent_id=r.agent_id,
            channel=str(r.channel or analytics.DEFAULT_CHANNEL),
            value=float(r.rating),
        )
        for r in rows
    ]


def rated_between(since: datetime | None, until: datetime | None) -> Select[Any]:
    q = select(CsatResponse.conversation_id.label("cid"))
    if since is not None:
        q = q.where(CsatResponse.created_at >= since)
    if until is not None:
        q = q.where(CsatResponse.created_at < until)
    return q


analytics.register_source(csat_facts, rated_between)
