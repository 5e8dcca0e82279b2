"""The RBAC matrix over sockets: every Socket.IO event the server registers, on ``/agent``
and ``/widget``, for anonymous, visitor, agent, admin, custom role, scoped key, revoked key
and expired token, answers as docs/permissions.md ("Socket events") says — and every event
is documented there.

``/agent`` refuses the connection without valid credentials (anonymous, a visitor's session
token, a revoked key, an expired token); a connected caller without the event's permission
gets ``{error: "forbidden"}`` and changes nothing. ``/widget`` takes no credentials: an
event that needs a session is ``no_session`` until ``start_session``, whoever connects.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
import pytest
import socketio

from baton.runtime import Runtime
from baton.settings import PROJECT_ROOT
from tests.auth.test_rbac_matrix import Caller, callers
from tests.realtime.clients import RecordingClient
from tests.support import LiveServer

DOC = PROJECT_ROOT / "docs" / "permissions.md"
_ROW = re.compile(r"^\| (/agent|/widget) \| `([a-z_]+)` \| (\S+) \| ([a-z ]+) \|$")
LIFECYCLE = {"connect", "disconnect", "*"}
NOWHERE = str(uuid.uuid4())  # a conversation, visitor or message that does not exist

# a well-formed payload for each event: what is refused is the caller, never the shape
AGENT_PAYLOADS: dict[str, dict[str, Any]] = {
    "join_session": {"conversation_id": NOWHERE},
    "leave_session": {"conversation_id": NOWHERE},
    "take_over": {"conversation_id": NOWHERE},
    "release": {"conversation_id": NOWHERE},
    "resolve": {"conversation_id": NOWHERE},
    "agent_message": {"conversation_id": NOWHERE, "client_id": "m1", "text": "hi"},
    "internal_note": {"conversation_id": NOWHERE, "text": "note"},
    "typing_start": {"conversation_id": NOWHERE},
    "typing_stop": {"conversation_id": NOWHERE},
    "set_presence": {"presence": "online"},
    "suggest_reply": {"conversation_id": NOWHERE},
    "summarize": {"conversation_id": NOWHERE},
    "ai_verdict": {"conversation_id": NOWHERE, "message_id": NOWHERE, "verdict": "good"},
    "initiate_chat": {"visitor_id": NOWHERE, "text": "Can I help?", "client_id": "p1"},
}
# in this order: end_session last, it ends the visitor's session
WIDGET_PAYLOADS: dict[str, dict[str, Any]] = {
    "start_session": {},
    "visitor_join": {"page_url": "https://shop.example/", "title": "Shop"},
    "history": {"conversation_id": NOWHERE},
    "sync": {},
    "typing_start": {},
    "typing_stop": {},
    "user_message": {"client_id": "v1", "text": "hello"},
    "request_agent": {},
    "leave_email": {"email": "visitor@example.com"},
    "csat_status": {},
    "csat": {"rating": 5},
    "submit_ticket": {"name": "Lin", "email": "lin@example.com", "message": "Call me"},
    "request_transcript": {"email": "lin@example.com"},
    "new_conversation": {},  # refused as conversation_open here: allowed, not permitted-out
    "end_session": {},
}
REFUSED = {"forbidden", "unauthorized", "no_session", "unknown_event"}


def documented() -> dict[tuple[str, str], tuple[str, bool]]:
    rules = {}
    for line in DOC.read_text().splitlines():
        found = _ROW.match(line.strip())
        if found:
            namespace, event, needs, who = found.groups()
            rules[(namespace, event)] = (needs, who == "users only")
    return rules


def registered(runtime: Runtime, namespace: str) -> set[str]:
    assert runtime.sio is not None
    handlers: dict[str, Any] = runtime.sio.handlers.get(namespace, {})
    return set(handlers) - LIFECYCLE


def expected(needs: str, users_only: bool, caller: Caller) -> str:
    """What an /agent caller that connected gets: "allowed" or the refusal's code."""
    assert caller.permissions is not None
    if users_only and caller.is_key:
        return "forbidden"
    if needs != "signed-in" and needs not in caller.permissions:
        return "forbidden"
    return "allowed"


def outcome(ack: Any) -> str:
    if isinstance(ack, dict) and ack.get("error") in REFUSED:
        return str(ack["error"])
    assert not (isinstance(ack, dict) and ack.get("error") == "internal_error"), ack
    return "allowed"


async def _agent_socket(base_url: str, caller: Caller) -> RecordingClient | None:
    client = RecordingClient("/agent")
    token = caller.headers.get("Authorization", "").removeprefix("Bearer ") or None
    try:
        await client.connect(base_url, auth={"token": token} if token else None)
    except socketio.exceptions.ConnectionError:
        return None
    return client


def test_every_event_has_a_payload_here() -> None:
    rules = documented()
    assert {e for ns, e in rules if ns == "/agent"} == set(AGENT_PAYLOADS)
    assert {e for ns, e in rules if ns == "/widget"} == set(WIDGET_PAYLOADS)


async def test_every_agent_event_answers_as_documented(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    rules = documented()
    events = registered(runtime, "/agent")
    undocumented = sorted(e for e in events if ("/agent", e) not in rules)
    assert not undocumented, f"/agent events missing from docs/permissions.md: {undocumented}"
    assert events >= set(AGENT_PAYLOADS) - {"*"}

    visitor = RecordingClient("/widget")
    await visitor.connect(server.base_url)
    session_token = (await visitor.call("start_session", {}))["session_token"]
    await visitor.disconnect()
    who = [*await callers(client, runtime), Caller("visitor", bearer_of(session_token), None)]
    wrong, cells = [], 0
    for caller in who:
        socket = await _agent_socket(server.base_url, caller)
        try:
            if caller.permissions is None:  # no valid credentials: no socket at all
                cells += len(events)
                if socket is not None:
                    wrong.append(f"{caller.name}: /agent connection accepted")
                continue
            assert socket is not None, f"{caller.name} could not connect to /agent"
            for event in sorted(events):
                needs, users_only = rules[("/agent", event)]
                ack = await socket.call(event, AGENT_PAYLOADS[event])
                cells += 1
                got, want = outcome(ack), expected(needs, users_only, caller)
                if got != want:
                    wrong.append(f"{caller.name}: /agent {event} -> {ack}, want {want}")
        finally:
            if socket is not None:
                await socket.disconnect()
    assert not wrong, "\n".join(wrong)
    assert cells == len(who) * len(events)


@pytest.mark.parametrize("as_visitor", [False, True], ids=["no session", "visitor"])
async def test_every_widget_event_answers_as_documented(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime, as_visitor: bool
) -> None:
    """/widget ignores credentials: an agent's token or an API key gives nothing more than
    a page without a session; a visitor acts on their own session only."""
    rules = documented()
    events = registered(runtime, "/widget")
    undocumented = sorted(e for e in events if ("/widget", e) not in rules)
    assert not undocumented, f"/widget events missing from docs/permissions.md: {undocumented}"
    who = await callers(client, runtime)
    if as_visitor:
        who = [Caller("visitor", {}, None)]
    wrong = []
    for caller in who:
        socket = RecordingClient("/widget")
        token = caller.headers.get("Authorization", "").removeprefix("Bearer ") or None
        await socket.connect(server.base_url, auth={"token": token} if token else None)
        try:
            if as_visitor:
                assert "error" not in await socket.call("start_session", {})
            # in order: end_session last; start_session (public) at the very end without one
            order = [e for e in WIDGET_PAYLOADS if e != "start_session"] + ["start_session"]
            for event in order:
                if event not in events:
                    wrong.append(f"/widget {event} is documented but not registered")
                    continue
                needs, _ = rules[("/widget", event)]
                got = outcome(await socket.call(event, WIDGET_PAYLOADS[event]))
                want = "allowed" if needs == "public" or as_visitor else "no_session"
                if got != want:
                    wrong.append(f"{caller.name}: /widget {event} -> {got}, want {want}")
            # the agent's events do not exist here, whoever asks
            for event in sorted(set(AGENT_PAYLOADS) - set(WIDGET_PAYLOADS)):
                got = outcome(await socket.call(event, AGENT_PAYLOADS[event]))
                if got != "unknown_event":
                    wrong.append(f"{caller.name}: /widget {event} -> {got}, want unknown_event")
        finally:
            await socket.disconnect()
    assert not wrong, "\n".join(wrong)


def bearer_of(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
