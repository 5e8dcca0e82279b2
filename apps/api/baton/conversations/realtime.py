"""Registers the conversation handlers on both namespaces."""

from __future__ import annotations

import socketio

from baton.conversations import agent_realtime, widget_realtime
from baton.runtime import Runtime


def register_realtime(sio: socketio.AsyncServer, runtime: Runtime) -> None:
    widget_realtime.register(sio, runtime)
    agent_realtime.register(sio, runtime)
