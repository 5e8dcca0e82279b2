"""CSAT rules on a rolled-back unit of work: the events a rating records, the survey link's
signature and expiry, and the emailed survey when no resolution email was queued."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from baton.conversations.events import ConversationChanged
from baton.csat import listeners, service
from baton.csat.events import CsatSubmitted
from baton.kit.clock import clock
from baton.kit.errors import Conflict, Forbidden, NotFound, ValidationFailed
from baton.kit.uow import UnitOfWork
from baton.mail.models import OutboxEmail
from baton.tickets import service as tickets
from baton.tickets.events import TicketStatusChanged
from tests.service_tier import add_conversation, add_user, recorded


async def test_a_rating_records_its_event_once(tx: UnitOfWork) -> None:
    agent = await add_user(tx)
    conversation = await add_conversation(tx, status="resolved", assignee_id=agent.id)
    with pytest.raises(ValidationFailed):
        await service.submit(tx, conversation, rating=6, channel="widget")
    assert recorded(tx, CsatSubmitted) == []
    row = await service.submit(tx, conversation, rating=3, comment=" ok ", channel="widget")
    [event] = recorded(tx, CsatSubmitted)
    assert (event.rating, event.comment, event.agent_id, event.response_id) == (
        3,
        "ok",
        agent.id,
        row.id,
    )
    assert [e.conversation_id for e in recorded(tx, ConversationChanged)] == [conversation.id]
    with pytest.raises(Conflict) as second:
        await service.submit(tx, conversation, rating=5, channel="widget")
    assert second.value.code == "already_rated"
    assert len(recorded(tx, CsatSubmitted)) == 1


async def test_an_open_conversation_cannot_be_rated(tx: UnitOfWork) -> None:
    conversation = await add_conversation(tx, status="agent")
    with pytest.raises(Conflict) as refused:
        await service.submit(tx, conversation, rating=5, channel="widget")
    assert refused.value.code == "not_resolved"


async def test_survey_links_are_signed_and_expire(tx: UnitOfWork) -> None:
    settings = tx.runtime.settings
    cid = uuid.uuid4()
    token = service.survey_token(settings, cid)
    assert service.conversation_of_token(settings, token) == cid
    raw_id, expires, sig = token.split(".")
    for forged in (f"{uuid.uuid4()}.{expires}.{sig}", f"{raw_id}.{int(expires) + 1}.{sig}"):
        with pytest.raises(Forbidden):
            service.conversation_of_token(settings, forged)
    with pytest.raises(NotFound):
        service.conversation_of_token(settings, "nope")
    clock.advance(service.LINK_TTL_SECONDS + 60)
    with pytest.raises(Forbidden) as old:
        service.conversation_of_token(settings, token)
    assert old.value.code == "link_expired"


async def test_a_resolution_without_its_email_gets_a_survey_of_its_own(tx: UnitOfWork) -> None:
    requester = tickets.check_requester("Lin", "lin@example.com")
    ticket, _ = await tickets.create(
        tx, requester=requester, message="Refund please", source="form", confirm=False
    )
    event = TicketStatusChanged(ticket.id, ticket.number, "open", "resolved", None)
    await listeners.email_surveys(tx, [event])
    [survey] = (
        await tx.session.scalars(select(OutboxEmail).where(OutboxEmail.ticket_id == ticket.id))
    ).all()
    assert survey.kind == "csat_survey" and survey.to_address == "lin@example.com"
    assert survey.subject.startswith("How did we do?")
    assert survey.body_text.count("/api/v1/csat/survey/") == 5
