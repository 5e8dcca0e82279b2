"""The conversation's life on a rolled-back unit of work: each move, its events and jobs."""

from __future__ import annotations

import pytest

from baton.conversations import lifecycle
from baton.conversations.events import (
    ConversationAssigned,
    ConversationChanged,
    ConversationOffered,
    ConversationResolved,
    HandoffRequested,
    QueueChanged,
    StatusChanged,
)
from baton.conversations.state import VISITOR, Actor
from baton.kit.errors import Conflict, Forbidden, NotFound, ValidationFailed
from baton.kit.uow import UnitOfWork
from tests.service_tier import (
    add_conversation,
    add_user,
    job_names,
    messages_of,
    recorded,
)


async def test_handoff_with_nobody_online_queues_and_says_so(tx: UnitOfWork) -> None:
    conversation = await add_conversation(tx, last_message_text="where is my parcel?")
    result = await lifecycle.request_handoff(tx, conversation, VISITOR, reason="visitor_asked")
    assert (result.status, result.queue_position, result.agents_online) == ("waiting", 1, False)
    assert conversation.status == "waiting" and conversation.waiting_since is not None
    [asked] = recorded(tx, HandoffRequested)
    assert (asked.reason, asked.preview) == ("visitor_asked", "where is my parcel?")
    [moved] = recorded(tx, StatusChanged)
    assert (moved.from_status, moved.to_status, moved.actor_kind) == ("bot", "waiting", "visitor")
    assert recorded(tx, ConversationOffered) == []  # nobody to offer it to
    [queued] = [m for m in await messages_of(tx, conversation) if m.sender == "system"]
    assert queued.meta["kind"] == "queued"


async def test_handoff_offers_the_conversation_to_an_online_agent(tx: UnitOfWork) -> None:
    dana = await add_user(tx, name="Dana", online=True)
    await add_user(tx, name="Offline Olu")
    conversation = await add_conversation(tx)
    result = await lifecycle.request_handoff(tx, conversation, VISITOR, reason="visitor_asked")
    assert result.agents_online is True
    [offer] = recorded(tx, ConversationOffered)
    assert offer.agent_id == dana.id and conversation.offered_to_id == dana.id
    assert "conversations.offer_timeout" in job_names(tx)


async def test_a_second_handoff_request_while_waiting_changes_nothing(tx: UnitOfWork) -> None:
    conversation = await add_conversation(tx)
    await lifecycle.request_handoff(tx, conversation, VISITOR, reason="visitor_asked")
    before, messages = list(tx.domain_events), len(await messages_of(tx, conversation))
    again = await lifecycle.request_handoff(tx, conversation, VISITOR, reason="visitor_asked")
    assert again.status == "waiting" and again.queue_position == 1
    assert tx.domain_events == before
    assert len(await messages_of(tx, conversation)) == messages


async def test_take_over_is_first_come_and_leaves_the_queue(tx: UnitOfWork) -> None:
    dana, sam = await add_user(tx, name="Dana"), await add_user(tx, name="Sam")
    conversation = await add_conversation(tx)
    await lifecycle.request_handoff(tx, conversation, VISITOR, reason="visitor_asked")
    tx.domain_events.clear()
    await lifecycle.take_over(tx, conversation, Actor("agent", dana.id, dana.name))
    assert (conversation.status, conversation.assignee_id) == ("agent", dana.id)
    [assigned] = recorded(tx, ConversationAssigned)
    assert (assigned.assignee_id, assigned.reason) == (dana.id, "take_over")
    assert len(recorded(tx, QueueChanged)) == 1
    # the same agent again is a no-op; another agent is refused
    await lifecycle.take_over(tx, conversation, Actor("agent", dana.id, dana.name))
    with pytest.raises(Conflict) as refused:
        await lifecycle.take_over(tx, conversation, Actor("agent", sam.id, sam.name))
    assert refused.value.code == "already_assigned"


async def test_an_integrator_cannot_take_over_but_can_assign(tx: UnitOfWork) -> None:
    dana = await add_user(tx, name="Dana")
    conversation = await add_conversation(tx)
    key = Actor("api_key", dana.id, "Integration")
    with pytest.raises(Forbidden):
        await lifecycle.take_over(tx, conversation, key)
    await lifecycle.assign(tx, conversation, key, dana.id)
    assert (conversation.status, conversation.assignee_id) == ("agent", dana.id)


async def test_assign_refuses_who_cannot_answer(tx: UnitOfWork) -> None:
    import uuid

    conversation = await add_conversation(tx)
    admin = await add_user(tx, role="admin")
    viewer = await add_user(tx, role="no-such-role")
    actor = Actor("agent", admin.id, admin.name)
    with pytest.raises(NotFound):
        await lifecycle.assign(tx, conversation, actor, uuid.uuid4())
    with pytest.raises(ValidationFailed):
        await lifecycle.assign(tx, conversation, actor, viewer.id)
    assert conversation.status == "bot" and tx.domain_events == []


async def test_reassigning_tells_every_agent(tx: UnitOfWork) -> None:
    dana, sam = await add_user(tx, name="Dana"), await add_user(tx, name="Sam")
    conversation = await add_conversation(tx)
    actor = Actor("agent", dana.id, dana.name)
    await lifecycle.assign(tx, conversation, actor, dana.id)
    tx.domain_events.clear()
    await lifecycle.assign(tx, conversation, actor, sam.id)
    assert conversation.assignee_id == sam.id
    assert any(e.broadcast for e in recorded(tx, ConversationChanged))
    [assigned] = recorded(tx, ConversationAssigned)
    assert (assigned.assignee_id, assigned.reason) == (sam.id, "reassigned")


async def test_only_the_owner_releases_unless_allowed(tx: UnitOfWork) -> None:
    dana, sam = await add_user(tx, name="Dana"), await add_user(tx, name="Sam")
    conversation = await add_conversation(tx)
    await lifecycle.take_over(tx, conversation, Actor("agent", dana.id, dana.name))
    with pytest.raises(Forbidden):
        await lifecycle.release(
            tx, conversation, Actor("agent", sam.id, sam.name), may_release_others=False
        )
    assert conversation.status == "agent"
    await lifecycle.release(
        tx, conversation, Actor("agent", dana.id, dana.name), may_release_others=False
    )
    assert (conversation.status, conversation.assignee_id) == ("bot", None)
    with pytest.raises(Conflict):  # nothing left to release
        await lifecycle.release(
            tx, conversation, Actor("agent", dana.id, dana.name), may_release_others=True
        )


async def test_resolving_a_waiting_conversation_updates_the_queue_once(tx: UnitOfWork) -> None:
    conversation = await add_conversation(tx)
    await lifecycle.request_handoff(tx, conversation, VISITOR, reason="visitor_asked")
    tx.domain_events.clear()
    await lifecycle.resolve(tx, conversation, Actor("system"), reason="inactive")
    [resolved] = recorded(tx, ConversationResolved)
    assert (resolved.reason, resolved.actor_kind) == ("inactive", "system")
    assert len(recorded(tx, QueueChanged)) == 1
    events = len(tx.domain_events)
    await lifecycle.resolve(tx, conversation, Actor("system"))  # already resolved: nothing
    assert len(tx.domain_events) == events
    await lifecycle.reopen(tx, conversation, VISITOR)
    assert conversation.status == "bot" and conversation.resolved_at is None


async def test_a_stale_copy_loses_the_compare_and_set(tx: UnitOfWork) -> None:
    from sqlalchemy import update

    from baton.conversations.models import Conversation

    dana = await add_user(tx, name="Dana")
    conversation = await add_conversation(tx)
    # another process queued it meanwhile; this copy still says "bot"
    await tx.session.execute(
        update(Conversation)
        .where(Conversation.id == conversation.id)
        .values(status="waiting")
        .execution_options(synchronize_session=False)
    )
    with pytest.raises(Conflict) as lost:
        await lifecycle.take_over(tx, conversation, Actor("agent", dana.id, dana.name))
    assert lost.value.code == "invalid_transition"
