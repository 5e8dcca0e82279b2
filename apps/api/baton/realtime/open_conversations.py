"""Which conversations an agent's socket has open: from ``join_session`` (or ``take_over``)
until ``leave_session`` or the socket goes. The socket's session holds its own set, so a
repeated join counts once and a disconnect closes everything it had open; the runtime's
``connections`` hold the counts every api process can read (``which_have_open``)."""

from __future__ import annotations

import uuid
from collections.abc import MutableMapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from baton.realtime.actions import SocketCall
    from baton.runtime import Runtime

SESSION_KEY = "open_conversations"


def _user_of(call: SocketCall) -> uuid.UUID | None:
    user_id: uuid.UUID | None = getattr(call.principal, "user_id", None)
    return user_id


async def mark_open(call: SocketCall, conversation_id: uuid.UUID) -> None:
    user_id = _user_of(call)
    if user_id is None:
        return
    state = await call.session()
    opened: set[uuid.UUID] = state.setdefault(SESSION_KEY, set())
    if conversation_id in opened:
        return
    opened.add(conversation_id)
    await call.save(state)
    await call.runtime.connections.opened(user_id, conversation_id)


async def mark_closed(call: SocketCall, conversation_id: uuid.UUID) -> None:
    user_id = _user_of(call)
    if user_id is None:
        return
    state = await call.session()
    opened: set[uuid.UUID] = state.get(SESSION_KEY) or set()
    if conversation_id not in opened:
        return
    opened.discard(conversation_id)
    await call.save(state)
    await call.runtime.connections.closed(user_id, [conversation_id])


async def close_all(
    runtime: Runtime, session: MutableMapping[str, Any], user_id: uuid.UUID
) -> None:
    """The socket went: whatever it had open is closed (called from the disconnect)."""
    opened: set[uuid.UUID] = session.pop(SESSION_KEY, None) or set()
    if opened:
        await runtime.connections.closed(user_id, opened)
