"""Who receives what, as exact sets of (namespace, event, rooms)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import msgspec

from baton.conversations import recipients
from baton.conversations.schemas import (
    AuthorRef,
    ConversationOut,
    MessageOut,
    PersonRef,
    VisitorOut,
)

CONV = uuid.uuid4()
AGENT = uuid.uuid4()


def _message(sender: str, *, internal: bool = False) -> MessageOut:
    return MessageOut(
        id=uuid.uuid4(),
        conversation_id=CONV,
        sender=sender,
        text="hello",
        internal=internal,
        client_id="c1",
        author=AuthorRef(AGENT, "Dana") if sender == "agent" else None,
        suggestions=[],
        created_at=datetime.now(UTC),
    )


def _plan(emissions: list[recipients.Emission]) -> set[tuple[str, str, frozenset[str]]]:
    return {(e.namespace, e.event, frozenset(e.rooms)) for e in emissions}


def test_public_messages_reach_the_visitor_and_the_agents_watching() -> None:
    visitor_room, conv_room = f"visitor:{CONV}", f"conversation:{CONV}"
    expected_visitor_event = {
        "visitor": "visitor_message",
        "bot": "bot_message",
        "agent": "agent_message",
        "system": "system_message",
    }
    for sender, event in expected_visitor_event.items():
        plan = _plan(recipients.message_emissions(_message(sender), assignee_id=AGENT))
        assert plan == {
            ("/widget", event, frozenset({visitor_room})),
            ("/agent", "message_created", frozenset({conv_room, f"user:{AGENT}"})),
        }, sender


def test_internal_notes_never_reach_a_visitor_room() -> None:
    plan = _plan(recipients.message_emissions(_message("agent", internal=True), assignee_id=None))
    assert plan == {("/agent", "message_created", frozenset({f"conversation:{CONV}"}))}
    assert all(not room.startswith("visitor:") for _, _, rooms in plan for room in rooms)


def test_typing_and_streams() -> None:
    assert _plan([recipients.visitor_typing_emission(CONV, True)]) == {
        ("/agent", "display_typing", frozenset({f"conversation:{CONV}"}))
    }
    assert _plan(recipients.agent_typing_emissions(CONV, "Dana", True)) == {
        ("/widget", "display_typing", frozenset({f"visitor:{CONV}"})),
        ("/agent", "display_typing", frozenset({f"conversation:{CONV}"})),
    }
    message_id = uuid.uuid4()
    assert _plan(recipients.bot_stream_emissions(CONV, message_id, "Hi")) == {
        ("/widget", "bot_stream", frozenset({f"visitor:{CONV}"})),
        ("/agent", "bot_stream", frozenset({f"conversation:{CONV}"})),
    }


def test_a_withdrawn_stream_reaches_those_who_saw_it() -> None:
    assert _plan(recipients.bot_stream_cancel_emissions(CONV, uuid.uuid4())) == {
        ("/widget", "bot_stream_cancelled", frozenset({f"visitor:{CONV}"})),
        ("/agent", "bot_stream_cancelled", frozenset({f"conversation:{CONV}"})),
    }


def _view(status: str, assignee: uuid.UUID | None) -> ConversationOut:
    return ConversationOut(
        id=CONV,
        status=status,
        visitor=VisitorOut(uuid.uuid4(), None, None, None, None, None, None),
        assignee=PersonRef(assignee, "Dana") if assignee else None,
        last_message=None,
        queue_position=None,
        waiting_since=None,
        handoff_reason=None,
        follow_up_email=None,
        created_at=datetime.now(UTC),
        updated_at=datetime.now(UTC),
        resolved_at=None,
    )


def test_inbox_updates_reach_who_needs_the_row() -> None:
    everyone = ("/agent", "conversation_updated", frozenset({"agents"}))
    readers = (
        "/agent",
        "conversation_updated",
        frozenset({"inbox:all", f"conversation:{CONV}", f"user:{AGENT}"}),
    )
    # the others may not read a person's conversation: they hear only that it left their view
    hidden = ("/agent", "conversation_hidden", frozenset({"agents:scoped"}))
    status = ("/widget", "status_changed", frozenset({f"visitor:{CONV}"}))
    # a person took it (or resolved it): its readers get the row, the others the hint
    assert _plan(recipients.conversation_emissions(_view("agent", AGENT), status_changed=True)) == {
        readers,
        hidden,
        status,
    }
    assert _plan(
        recipients.conversation_emissions(_view("resolved", AGENT), status_changed=True)
    ) == {readers, hidden, status}
    # the queue, the AI's conversations and nobody's closed ones: every agent
    for s in ("bot", "waiting"):
        assert _plan(recipients.conversation_emissions(_view(s, None), status_changed=False)) == {
            everyone
        }
    assert _plan(
        recipients.conversation_emissions(_view("resolved", None), status_changed=True)
    ) == {everyone, status}
    # a message in a conversation a person owns: the owner, those viewing it, the All view
    assert _plan(
        recipients.conversation_emissions(_view("agent", AGENT), status_changed=False)
    ) == {readers}
    # a change of owner without a change of status: the readers, and the hint for the others
    assert _plan(
        recipients.conversation_emissions(
            _view("agent", AGENT), status_changed=False, broadcast=True
        )
    ) == {readers, hidden}
    hint = recipients.conversation_emissions(_view("agent", AGENT), status_changed=True)[0]
    assert msgspec.to_builtins(hint.payload) == {
        "conversation_id": str(CONV),
        "status": "agent",
        "assignee_id": str(AGENT),
    }
