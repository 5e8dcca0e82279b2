"""Baseline: a bare python-socketio relay with no database, no auth and no rules.

Served by granian like Baton (``granian --interface asgi bench_lib.relay:app``). With
``RELAY_REDIS_URL`` set, rooms fan out through Redis (``AsyncRedisManager``), so two relay
processes behind nginx are the no-database twin of the two-process Baton cluster.

It speaks the subset of Baton's protocol the scenarios use: ``start_session`` and
``user_message`` on /widget, ``join_session`` and ``typing_start`` on /agent; a visitor's
message is relayed to the conversation's agents (``message_created``) and echoed to the
visitor room (``visitor_message``), then acked.

With ``RELAY_DATABASE_URL`` (a PostgreSQL URL) it is the *durable* relay: the floor of any
persist-before-ack path on this stack. Each message is written before it is relayed and
acked, by a group-commit writer like Baton's (one held asyncpg connection; the messages
queued meanwhile go in one ``INSERT ... SELECT unnest(...) ON CONFLICT DO NOTHING``, a
single statement, so its own transaction: one round trip and one WAL flush per batch). No
auth, rules, events, sealing or index: what it costs over the bare relay is the
database's share of Baton's figures, and the rest is Baton's own code.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import time
import uuid
from datetime import UTC, datetime
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
_database = os.environ.get("RELAY_DATABASE_URL")
MAX_BATCH = 256
_TABLE = """
CREATE TABLE IF NOT EXISTS relay_messages (
    id text PRIMARY KEY, conversation_id text NOT NULL, text text NOT NULL,
    client_id text NOT NULL, created_at timestamptz NOT NULL,
    UNIQUE (conversation_id, client_id)
)"""
_INSERT = """
INSERT INTO relay_messages (id, conversation_id, text, client_id, created_at)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[])
ON CONFLICT DO NOTHING"""


class GroupCommit:
    """One writer task on one connection: what queued while a batch was written is the next
    batch, and every message of a batch is released once its statement has returned."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.queue: asyncio.Queue[tuple[dict[str, Any], asyncio.Future[None]]] = asyncio.Queue()
        self.task: asyncio.Task[None] | None = None

    async def store(self, message: dict[str, Any]) -> None:
        if self.task is None:
            self.task = asyncio.create_task(self._run())
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        await self.queue.put((message, done))
        await done

    async def _run(self) -> None:
        import asyncpg  # only the durable relay needs it

        conn = None
        while True:
            batch = [await self.queue.get()]
            while len(batch) < MAX_BATCH and not self.queue.empty():
                batch.append(self.queue.get_nowait())
            rows = [m for m, _ in batch]
            try:
                if conn is None or conn.is_closed():
                    conn = await asyncpg.connect(self.url)
                    await conn.execute(_TABLE)
                await conn.execute(
                    _INSERT,
                    [m["id"] for m in rows],
                    [m["conversation_id"] for m in rows],
                    [m["text"] for m in rows],
                    [m["client_id"] for m in rows],
                    [datetime.fromtimestamp(m["created_at"], UTC) for m in rows],
                )
            except Exception as exc:  # refused, not hung: the generator counts it as an error
                for _, done in batch:
                    done.set_exception(exc)
                continue
            for _, done in batch:
                done.set_result(None)


_writer = GroupCommit(_database.replace("postgresql+asyncpg", "postgresql")) if _database else None


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
    if _writer is not None:
        await _writer.store(message)
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
