"""A waiting conversation's priority from the visitor's sentiment: the rule on a labelled
mini-set (offline scorer), the queue's order (positions, the waiting list and its cursor,
round-robin), and end to end with real sockets: an angry visitor moves up, a calm one not."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from baton.conversations import assignment, lifecycle, priority, queries
from baton.conversations.events import ConversationChanged, QueueChanged
from baton.conversations.inbound import receive_visitor_message
from baton.conversations.models import Conversation
from baton.conversations.state import VISITOR, Actor
from baton.copilot.realtime import CopilotTasks
from baton.copilot.sentiment import score
from baton.db.base import utcnow
from baton.kit.uow import UnitOfWork
from baton.runtime import Runtime
from baton.workspace.service import WorkspacePatch, update_config
from tests.conversations.helpers import agent, cid, visitor
from tests.factories import user_headers
from tests.realtime.clients import barrier
from tests.service_tier import add_conversation, add_user, principal_of, recorded
from tests.support import LiveServer

N, H, U = priority.NORMAL, priority.HIGH, priority.URGENT

# The visitor's turns (oldest first) and the priority they should give a waiting conversation.
LABELLED: list[tuple[list[str], int]] = [
    (["Where is my parcel?"], N),
    (["Hi, I have a question about my order", "Can you check order 1001 please"], N),
    (["ok", "Thanks, that helps!"], N),
    (["My order arrived damaged"], N),  # a problem, said calmly
    (["I have a problem with my payment"], N),
    (["Still waiting...", "hello?"], N),
    (["Where is my parcel?", "Great, thank you so much"], N),
    (["I'm really disappointed", "ok, thanks for checking"], N),
    (["no", "fine"], N),
    (["This is unacceptable. I want a refund.", "I hate this, nobody is helping me"], H),
    (["My order arrived damaged", "This is unacceptable. I want a refund."], H),
    (["I am so angry, this is terrible"], H),  # one furious message
    (["Terrible. Absolutely terrible."], H),
    (["Thanks, that helps!", "You guys are useless!!!"], H),  # a sharp fall
    (["ok", "this is the third time I ask, what the hell"], H),
    (["You guys are useless!!!", "I am so angry, this is terrible"], U),
    (
        [
            "WORST SERVICE EVER, I WANT MY MONEY BACK NOW",
            "this is the third time I ask, what the hell",
            "I'm frustrated",
        ],
        U,
    ),
    (["Hi", "You guys are useless!!!", "Terrible. Absolutely terrible."], U),
]


def test_the_rule_on_the_labelled_mini_set() -> None:
    wrong = []
    for turns, expected in LABELLED:
        got = priority.judge([score(t) for t in turns])
        if got != expected:
            wrong.append((turns, [score(t) for t in turns], expected, got))
    print(f"\npriority mini-set: {len(LABELLED) - len(wrong)}/{len(LABELLED)} right")
    assert wrong == []


def test_the_rule_reads_only_the_last_three() -> None:
    assert priority.judge([]) == N
    assert priority.judge([-0.9, -0.9, 0.2, 0.3, 0.1]) == N  # calmed down since
    assert priority.judge([0.5, 0.5, -0.6, -0.6, -0.6]) == U


async def _waiting(tx: UnitOfWork, texts: list[str], *, minutes_ago: int = 0) -> Conversation:
    conversation = await add_conversation(tx)
    for text in texts:
        await receive_visitor_message(tx, conversation, text=text, client_id=cid(), channel="api")
    await lifecycle.request_handoff(tx, conversation, VISITOR, reason="visitor_request")
    conversation.waiting_since = utcnow() - timedelta(minutes=minutes_ago)
    await tx.session.flush()
    tx.forget_queue()
    return conversation


async def test_a_frustrated_visitor_is_served_first(tx: UnitOfWork) -> None:
    calm = await _waiting(tx, ["Where is my parcel?"], minutes_ago=10)
    angry = await _waiting(
        tx, ["You guys are useless!!!", "I am so angry, this is terrible"], minutes_ago=1
    )
    later = await _waiting(tx, ["Thanks"], minutes_ago=0)
    assert (angry.priority, angry.priority_reason) == (U, "visitor_frustrated")
    assert calm.priority == N
    order = await queries.waiting_queue(tx.session)
    assert order == [angry.id, calm.id, later.id]
    assert await queries.queue_position(tx.session, calm) == 2
    assert await queries.queue_position(tx.session, angry) == 1

    # the waiting tab: same order, and the cursor pages across priorities
    user = await add_user(tx, role="admin")
    seen: list[tuple[object, ...]] = []
    cursor = None
    while True:
        items, cursor = await queries.list_conversations(
            tx.session,
            principal=principal_of(user),
            status="waiting",
            assignee=None,
            q=None,
            updated_since=None,
            include_empty=False,
            limit=1,
            cursor=cursor,
        )
        seen.extend((i.id, i.priority, i.priority_reason, i.queue_position) for i in items)
        if cursor is None:
            break
    assert seen == [
        (angry.id, "urgent", "visitor_frustrated", 1),
        (calm.id, "normal", None, 2),
        (later.id, "normal", None, 3),
    ]


async def test_raised_only_while_waiting_and_cleared_on_leaving(tx: UnitOfWork) -> None:
    conversation = await _waiting(tx, ["Where is my parcel?"])
    assert conversation.priority == N
    tx.domain_events.clear()
    for text in ["I hate this, nobody is helping me", "Terrible. Absolutely terrible."]:
        await receive_visitor_message(tx, conversation, text=text, client_id=cid(), channel="api")
    assert await priority.assess(tx, conversation) is True
    assert conversation.priority == H
    changed = [e for e in recorded(tx, ConversationChanged) if e.broadcast]
    assert changed
    assert recorded(tx, QueueChanged)
    # calmer words do not send them back; the same mood again changes nothing
    await receive_visitor_message(
        tx, conversation, text="ok thanks", client_id=cid(), channel="api"
    )
    assert await priority.assess(tx, conversation) is False
    assert conversation.priority == H
    me = await add_user(tx)
    await lifecycle.take_over(tx, conversation, Actor("agent", me.id, me.name))
    assert (conversation.priority, conversation.priority_reason) == (N, None)
    assert await priority.assess(tx, conversation) is False


async def test_a_freed_slot_offers_the_frustrated_visitor_first(tx: UnitOfWork) -> None:
    await update_config(tx.session, WorkspacePatch(assignment_mode="round_robin"))
    calm = await _waiting(tx, ["Where is my parcel?"], minutes_ago=10)
    angry = await _waiting(tx, ["Terrible. Absolutely terrible."], minutes_ago=1)
    assert calm.offered_to_id is None and angry.offered_to_id is None
    dana = await add_user(tx, online=True)
    tx.forget("online_agents")  # Dana came online after the handoffs in this unit of work
    assert await assignment.offer_queue(tx) == angry.id
    assert angry.offered_to_id == dana.id


# -- end to end -----------------------------------------------------------------------------


@pytest.mark.parametrize("angry", [True, False], ids=["angry", "calm"])
async def test_a_waiting_visitor_who_turns_angry_moves_up(
    server: LiveServer, runtime: Runtime, client: httpx.AsyncClient, angry: bool
) -> None:
    _, headers = await user_headers(client, runtime, role="admin")
    first, first_start = await visitor(server.base_url)
    second, second_start = await visitor(server.base_url)
    a, _, _ = await agent(server.base_url, client, runtime)
    try:
        for v in (first, second):  # first in the queue: the first visitor
            ack = await v.call("user_message", {"client_id": cid(), "text": "Where is my parcel?"})
            assert "error" not in ack, ack
            assert (await v.call("request_agent", {})).get("status") == "waiting"
        await runtime.slot(CopilotTasks).drain()
        second_id = second_start["conversation_id"]
        turns = (
            ["This is unacceptable. I want a refund.", "Terrible. Absolutely terrible."]
            if angry
            else ["ok, I will wait", "thanks"]
        )
        for text in turns:
            ack = await second.call("user_message", {"client_id": cid(), "text": text})
            assert "error" not in ack, ack
        await runtime.slot(CopilotTasks).drain()  # the mood of each message is judged
        await barrier(runtime, a, second)

        listed = await client.get("/api/v1/conversations?status=waiting", headers=headers)
        assert listed.status_code == 200, listed.text
        rows = [(c["id"], c["priority"], c["priority_reason"]) for c in listed.json()["items"]]
        updates = [
            u["conversation"]
            for u in a.received.get("conversation_updated", [])
            if u["conversation"]["id"] == second_id and u["conversation"]["priority"] != "normal"
        ]
        if angry:
            assert rows[0] == (second_id, "high", "visitor_frustrated"), rows
            assert rows[1][0] == first_start["conversation_id"]
            assert updates and updates[-1]["priority_reason"] == "visitor_frustrated"
            positions = [p["queue_position"] for p in second.received.get("status_changed", [])]
            assert positions[-1] == 1, positions
        else:
            assert [r[0] for r in rows] == [first_start["conversation_id"], second_id], rows
            assert all(r[1] == "normal" for r in rows) and updates == []
    finally:
        for c in (first, second, a):
            await c.disconnect()
