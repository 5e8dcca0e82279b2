"""Baseline: a bare python-socketio relay with no database, no auth and no rules.

Served by granian like Baton (``granian --interface asgi bench_lib.relay:app``). With
``RELAY_REDIS_URL`` set, rooms fan out through Redis (``AsyncRedisManager``), so two relay
processes behind nginx are the no-database twin of the two-process Baton cluster.

It speaks the subset of Baton's protocol the scenarios use: ``start_session`` and
``user_message`` on /widget, ``join_session`` and ``typing_start`` on /agent; a visitor's
message is relayed to the conversation's agents (``message_created``) and echoed to the
visitor room (``visitor_message``), then acked.
"""

from __future__ import annotations

import itertools
import os
import time
import uuid
from typing import Any

import socketio

_redis = os.environ.get("RELAY_REDIS_URL")
sio = socketio.AsyncServer(
    async_mode="asgi",
    client_manager=(
        socketio.AsyncRedisManager(_redis, channel=os.environ.get("RELAY_CHANNEL", "relay"))
        if _redis
        else None
    ),
    cors_allowed_origins="*",
    ping_interval=20,
    ping_timeout=20,
)
_ids = itertools.count(1)


@sio.on("start_session", namespace="/widget")
async def start_session(sid: str, data: Any = None) -> dict[str, Any]:
    conversation_id = (data or {}).get("conversation_id") or str(uuid.uuid4())
    await sio.save_session(sid, {"conversation_id": conversation_id}, namespace="/widget")
    await sio.enter_room(sid, f"visitor:{conversation_id}", namespace="/widget")
    return {"conversation_id": conversation_id, "status": "agent", "messages": []}


@sio.on("user_message", namespace="/widget")
async def user_message(sid: str, data: Any = None) -> dict[str, Any]:
    session = await sio.get_session(sid, namespace="/widget")
    cid = session["conversation_id"]
    message = {
        "id": f"{os.getpid()}-{next(_ids)}",
        "conversation_id": cid,
        "sender": "visitor",
        "text": data["text"],
        "client_id": data["client_id"],
        "created_at": time.time(),
    }
    await sio.emit(
        "message_created", {"message": message}, to=f"conversation:{cid}", namespace="/agent"
    )
    await sio.emit("visitor_message", message, to=f"visitor:{cid}", namespace="/widget")
    return {
        "id": message["id"],
        "client_id": data["client_id"],
        "created_at": message["created_at"],
    }


@sio.on("connect", namespace="/agent")
async def agent_connect(sid: str, environ: dict[str, Any], auth: Any = None) -> None:
    return None


@sio.on("join_session", namespace="/agent")
async def join_session(sid: str, data: Any = None) -> dict[str, Any]:
    cid = data["conversation_id"]
    await sio.enter_room(sid, f"conversation:{cid}", namespace="/agent")
    return {"conversation": {"id": cid}, "messages": []}


@sio.on("typing_start", namespace="/agent")
async def typing_start(sid: str, data: Any = None) -> dict[str, Any]:
    return {"ok": True}


async def _http(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            await send({"type": message["type"] + ".complete"})
            if message["type"] == "lifespan.shutdown":
                return
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": b'{"status":"ok"}'})


app = socketio.ASGIApp(sio, other_asgi_app=_http)
