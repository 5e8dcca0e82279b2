"""The realtime contract: what real clients receive decodes into the declared structs, the
generated TypeScript matches the declarations, and an undeclared payload cannot be sent."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import msgspec
import pytest

from baton.realtime import typegen
from baton.realtime.actions import DECLARED
from baton.realtime.contract import ContractViolation, ErrorAck, encode, payload_type
from baton.realtime.rooms import AGENT_NS, VISITOR_NS
from baton.realtime.server_events import CsatRequest, StatusChanged
from baton.runtime import Runtime
from baton.settings import PROJECT_ROOT
from tests.conversations.helpers import agent, visitor
from tests.realtime.clients import RecordingClient, barrier
from tests.support import LiveServer

TEST_ONLY = {"probe", "test_barrier"}


def _ack_struct(namespace: str, event: str) -> type[Any]:
    for actions in DECLARED:
        if actions.namespace == namespace:
            for action in actions.actions:
                if action.event == event:
                    return action.ack
    raise AssertionError(f"{namespace} {event!r} has no declared ack")


def _decode_all(client: RecordingClient) -> set[str]:
    """Every event the client received, decoded strictly into its declared struct."""
    seen = set()
    for event, payloads in client.received.items():
        if event in TEST_ONLY:
            continue
        struct = payload_type(client.namespace, event)
        for payload in payloads:
            msgspec.convert(payload, struct, strict=True)
        seen.add(event)
    return seen


class Acks:
    """Calls that check each ack against the declared ack struct (or ErrorAck)."""

    def __init__(self, client: RecordingClient) -> None:
        self.client = client

    async def __call__(self, event: str, data: Any = None) -> Any:
        ack = await self.client.call(event, data)
        struct = ErrorAck if "error" in ack else _ack_struct(self.client.namespace, event)
        msgspec.convert(ack, struct, strict=True)
        assert "error" not in ack, ack
        return ack


def test_generated_types_are_up_to_date() -> None:
    """The drift check of scripts/test (`npm run check:realtime`), as a test."""
    for namespace, space in typegen.contract().items():
        target = PROJECT_ROOT / typegen.TARGETS[namespace][1]
        assert target.read_text(encoding="utf-8") == typegen.render(namespace, space), (
            f"{target} is stale: run `cd apps/admin_web && npm run gen:realtime`"
        )


def test_generated_types_name_every_event() -> None:
    spaces = typegen.contract()
    agent_ts = typegen.render(AGENT_NS, spaces[AGENT_NS])
    widget_ts = typegen.render(VISITOR_NS, spaces[VISITOR_NS])
    assert "  message_created: MessageCreated;" in agent_ts
    assert "  join_session: [ConversationRef, ConversationWithMessages | ErrorAck];" in agent_ts
    assert "  start_session: [StartSessionIn, StartSessionAck | ErrorAck];" in widget_ts
    assert "  request_agent: [Record<string, never>, HandoffAck | ErrorAck];" in widget_ts
    # sent fields with a default are always there; UNSET ones may be missing
    assert "  queue_position: number | null;" in widget_ts
    assert "  eta_seconds?: number;" in widget_ts
    assert "message_created" not in widget_ts  # agent-only events stay out of the widget


def test_an_undeclared_or_misfit_payload_is_refused() -> None:
    cid = str(uuid.uuid4())
    assert encode(VISITOR_NS, "status_changed", {"status": "bot", "queue_position": None}) == {
        "status": "bot",
        "queue_position": None,
    }
    assert encode(VISITOR_NS, "status_changed", StatusChanged(status="waiting", queue_position=2))
    with pytest.raises(ContractViolation, match="not declared"):
        encode(VISITOR_NS, "message_created", {"message": {}})
    with pytest.raises(ContractViolation, match="queue_position"):
        encode(VISITOR_NS, "status_changed", {"status": "bot"})  # a field left out
    with pytest.raises(ContractViolation, match="extra"):
        encode(VISITOR_NS, "status_changed", {"status": "bot", "queue_position": 1, "extra": 1})
    with pytest.raises(ContractViolation, match="status"):
        encode(VISITOR_NS, "status_changed", {"status": "lost", "queue_position": 1})
    with pytest.raises(ContractViolation, match="is not StatusChanged"):
        encode(
            VISITOR_NS,
            "status_changed",
            CsatRequest(conversation_id=uuid.UUID(cid), question="?", delay_seconds=0),
        )


async def test_what_clients_receive_decodes_into_the_declared_structs(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    dana, _, _ = await agent(server.base_url, client, runtime, name="Dana")
    v, start = await visitor(server.base_url, visitor={"name": "Vera", "email": "vera@example.com"})
    msgspec.convert(start, _ack_struct(VISITOR_NS, "start_session"), strict=True)
    cid = start["conversation_id"]
    on_widget, on_agent = Acks(v), Acks(dana)
    try:
        await on_widget("user_message", {"client_id": "c1", "text": "Where is my parcel?"})
        await on_widget("request_agent")
        await v.wait_for("status_changed", lambda d: d["status"] == "waiting")
        await on_agent("join_session", {"conversation_id": cid})
        await on_agent("take_over", {"conversation_id": cid})
        await on_agent("typing_start", {"conversation_id": cid})
        await on_agent(
            "agent_message", {"conversation_id": cid, "client_id": "a1", "text": "On it."}
        )
        await on_agent("internal_note", {"conversation_id": cid, "text": "check the depot"})
        await v.wait_for("agent_message")
        await on_widget("typing_start")
        await on_widget("user_message", {"client_id": "c2", "text": "Thanks!"})
        await on_widget("sync", {})
        await dana.wait_for("message_created", lambda d: d["message"]["text"] == "Thanks!")
        await on_agent("set_presence", {"presence": "away"})
        await on_agent("resolve", {"conversation_id": cid})
        await v.wait_for("status_changed", lambda d: d["status"] == "resolved")
        await barrier(runtime, v, dana)

        refused = await v.call("user_message", {"client_id": "c3", "text": ""})
        msgspec.convert(refused, ErrorAck, strict=True)

        widget_events = _decode_all(v)
        agent_events = _decode_all(dana)
        assert {"status_changed", "system_message", "agent_message", "display_typing"} <= (
            widget_events
        )
        assert {
            "conversation_updated",
            "message_created",
            "display_typing",
            "agent_presence",
        } <= agent_events
    finally:
        await v.disconnect()
        await dana.disconnect()
