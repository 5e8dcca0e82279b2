"""A socket that disconnects while its action awaits: the action's stored work stands and
keeping the (now gone) socket's session is not an error (it was logged as a failed handler
for every message in flight when a visitor's tab closed)."""

from __future__ import annotations

from typing import Any, cast

import pytest
import socketio

from baton.realtime.actions import SocketCall


async def test_saving_the_session_of_a_socket_that_has_gone_is_a_no_op() -> None:
    sio = socketio.AsyncServer(async_mode="asgi")
    call = SocketCall(sio=sio, runtime=cast(Any, None), sid="gone", namespace="/widget")
    await call.save({"checked_at": 1.0})  # no KeyError("Session not found")


async def test_a_connected_socket_whose_session_cannot_be_kept_still_fails() -> None:
    sio = socketio.AsyncServer(async_mode="asgi")
    sio.manager.is_connected = lambda sid, namespace: True  # type: ignore[method-assign]
    call = SocketCall(sio=sio, runtime=cast(Any, None), sid="odd", namespace="/widget")
    with pytest.raises(KeyError):
        await call.save({})
