"""Registers the conversation handlers on both namespaces."""

from __future__ import annotations

import socketio

from baton.conversations import agent_realtime, widget_realtime, widget_restart
from baton.runtime import Runtime


def register(sio: socketio.AsyncServer, runtime: Runtime) -> None:
    widget_realtime.actions.register(sio, runtime)
    widget_restart.actions.register(sio, runtime)
    agent_realtime.actions.register(sio, runtime)
