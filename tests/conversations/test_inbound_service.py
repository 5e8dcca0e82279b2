"""The one inbound path on a rolled-back unit of work: what a visitor message sets in motion,
the same whichever channel it came through."""

from __future__ import annotations

import pytest

from baton.ai.policy import ai_handoff, ai_may_answer, record_ai_outcome
from baton.conversations import lifecycle, policy
from baton.conversations.events import HandoffRequested, MessageCreated, VisitorMessageReceived
from baton.conversations.inbound import (
    CHANNELS,
    Channel,
    open_api_conversation,
    receive_visitor_message,
)
from baton.conversations.state import VISITOR, Actor
from baton.kit.errors import Forbidden, NotFound, ValidationFailed
from baton.kit.uow import UnitOfWork
from tests.service_tier import add_conversation, add_user, principal_of, recorded


@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_question_is_stored_once_and_goes_to_the_ai(
    tx: UnitOfWork, channel: Channel
) -> None:
    conversation = await add_conversation(tx, channel=channel)
    message, created = await receive_visitor_message(
        tx, conversation, text="  What is your return policy? ", client_id="c-1", channel=channel
    )
    assert created and message.text == "What is your return policy?"
    [received] = recorded(tx, VisitorMessageReceived)
    assert (received.channel, received.status, received.handed_off) == (channel, "bot", False)
    assert len(recorded(tx, MessageCreated)) == 1
    again, created_again = await receive_visitor_message(
        tx, conversation, text="What is your return policy?", client_id="c-1", channel=channel
    )
    assert not created_again and again.id == message.id
    assert len(recorded(tx, VisitorMessageReceived)) == 1  # a resend sets nothing in motion


@pytest.mark.parametrize("channel", CHANNELS)
async def test_asking_for_a_person_queues_on_every_channel(
    tx: UnitOfWork, channel: Channel
) -> None:
    conversation = await add_conversation(tx, channel=channel)
    await receive_visitor_message(
        tx, conversation, text="I want to talk to a human", client_id="c-1", channel=channel
    )
    assert conversation.status == "waiting"
    [received] = recorded(tx, VisitorMessageReceived)
    assert received.handed_off and received.status == "waiting"
    assert len(recorded(tx, HandoffRequested)) == 1


async def test_a_message_to_a_resolved_conversation_reopens_it(tx: UnitOfWork) -> None:
    conversation = await add_conversation(tx, channel="email")
    await lifecycle.resolve(tx, conversation, Actor("system"))
    await receive_visitor_message(
        tx, conversation, text="one more thing", client_id="c-2", channel="email"
    )
    assert conversation.status == "bot"
    [received] = recorded(tx, VisitorMessageReceived)
    assert received.status == "bot" and not received.handed_off


@pytest.mark.parametrize("text", ["", "   ", "a\x00b", "x" * 20_000])
async def test_bad_text_is_refused_and_stores_nothing(tx: UnitOfWork, text: str) -> None:
    conversation = await add_conversation(tx)
    with pytest.raises(ValidationFailed):
        await receive_visitor_message(tx, conversation, text=text, client_id="c", channel="api")
    assert tx.domain_events == []


async def test_an_api_conversation_starts_with_the_bot(tx: UnitOfWork) -> None:
    conversation = await open_api_conversation(tx, name="  Ana ", email="Ana@Example.com")
    assert (conversation.status, conversation.channel) == ("bot", "api")


async def test_ai_policy_answers_its_own_and_hands_off_once(tx: UnitOfWork) -> None:
    conversation = await add_conversation(tx)
    assert await ai_may_answer(tx, conversation)
    assert await record_ai_outcome(tx, conversation, answered=False) == 1
    assert await record_ai_outcome(tx, conversation, answered=False) == 2
    assert await record_ai_outcome(tx, conversation, answered=True) == 0
    result = await ai_handoff(tx, conversation, reason="ai_cannot_answer")
    assert result.status == "waiting"
    [handoff] = recorded(tx, HandoffRequested)
    assert handoff.reason == "ai_cannot_answer"
    again = await ai_handoff(tx, conversation, reason="ai_cannot_answer")
    assert again.status == "waiting" and len(recorded(tx, HandoffRequested)) == 1
    dana = await add_user(tx)
    await lifecycle.take_over(tx, conversation, Actor("agent", dana.id, dana.name))
    assert not await ai_may_answer(tx, conversation)  # a person owns it now


async def test_read_and_act_follow_ownership(tx: UnitOfWork) -> None:
    dana, sam = await add_user(tx, name="Dana"), await add_user(tx, name="Sam")
    admin = await add_user(tx, role="admin", name="Ada")
    conversation = await add_conversation(tx)
    for who in (dana, sam, admin):  # nobody owns it: everyone may read and act
        policy.check_act(principal_of(who), conversation)
    await lifecycle.take_over(tx, conversation, Actor("agent", dana.id, dana.name))
    policy.check_act(principal_of(dana), conversation)
    policy.check_act(principal_of(admin), conversation)
    with pytest.raises(NotFound):  # another agent's conversation does not exist for Sam
        policy.check_read(principal_of(sam), conversation)
    assert not policy.can_read(principal_of(sam), conversation)
    assert policy.can_read(principal_of(admin), conversation)


async def test_an_agent_without_assign_may_not_act_on_anothers(tx: UnitOfWork) -> None:
    """A supervisor role that reads everything but cannot reassign still may not reply."""
    from baton.auth.permissions import Permission
    from baton.auth.principal import Principal

    dana = await add_user(tx, name="Dana")
    conversation = await add_conversation(tx)
    await lifecycle.take_over(tx, conversation, Actor("agent", dana.id, dana.name))
    reader = await add_user(tx, name="Rita")
    rita = Principal(
        "user",
        reader.id,
        "Rita",
        "reader",
        frozenset({Permission.CONVERSATIONS_READ, Permission.CONVERSATIONS_READ_ALL}),
    )
    policy.check_read(rita, conversation)
    with pytest.raises(Forbidden):
        policy.check_act(rita, conversation)


async def test_a_visitor_cannot_hand_back_what_a_person_owns(tx: UnitOfWork) -> None:
    dana = await add_user(tx)
    conversation = await add_conversation(tx)
    await lifecycle.take_over(tx, conversation, Actor("agent", dana.id, dana.name))
    result = await lifecycle.request_handoff(tx, conversation, VISITOR, reason="visitor_asked")
    assert result.status == "agent" and conversation.assignee_id == dana.id
