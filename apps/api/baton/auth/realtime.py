"""Authenticating Socket.IO connections on the /agent namespace."""

from __future__ import annotations

from typing import Any

from socketio.exceptions import ConnectionRefusedError as SioRefused

from baton.auth.permissions import Permission
from baton.auth.principal import Principal
from baton.auth.service import authenticate
from baton.realtime.rooms import AGENTS_ROOM, INBOX_ALL_ROOM, user_room
from baton.runtime import Runtime


def token_from_auth(auth: Any, environ: dict[str, Any]) -> str | None:
    if isinstance(auth, dict) and isinstance(auth.get("token"), str):
        return str(auth["token"])
    header = environ.get("HTTP_AUTHORIZATION", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def authenticate_socket(runtime: Runtime, auth: Any, environ: dict[str, Any]) -> Principal:
    """Return the principal or refuse the connection (the client sees connect_error)."""
    token = token_from_auth(auth, environ)
    if token is None:
        raise SioRefused({"error": "unauthorized", "detail": "auth.token is required"})
    async with runtime.db.session() as session:
        principal = await authenticate(session, runtime.settings, token)
        await session.commit()
    if principal is None:
        raise SioRefused({"error": "unauthorized", "detail": "invalid or expired token"})
    return principal


def register_realtime(sio: Any, runtime: Runtime) -> None:
    """The /agent namespace refuses any connection without a valid token."""

    async def connect(sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        principal = await authenticate_socket(runtime, auth, environ)
        await sio.save_session(sid, {"principal": principal}, namespace="/agent")
        await sio.enter_room(sid, AGENTS_ROOM, namespace="/agent")
        await sio.enter_room(sid, user_room(principal.id), namespace="/agent")
        if principal.has(Permission.CONVERSATIONS_READ_ALL):
            await sio.enter_room(sid, INBOX_ALL_ROOM, namespace="/agent")
        if principal.user_id is not None:
            await runtime.connections.connected(principal.user_id)

    async def disconnect(sid: str, *_: Any) -> None:
        session = await sio.get_session(sid, namespace="/agent")
        principal: Principal | None = session.get("principal")
        if principal is not None and principal.user_id is not None:
            await runtime.connections.disconnected(principal.user_id)

    sio.on("connect", connect, namespace="/agent")
    sio.on("disconnect", disconnect, namespace="/agent")


async def socket_principal(sio: Any, sid: str) -> Principal:
    session = await sio.get_session(sid, namespace="/agent")
    principal: Principal = session["principal"]
    return principal
