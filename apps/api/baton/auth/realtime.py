"""Authenticating Socket.IO connections on the /agent namespace, and keeping them honest.

A socket authenticates on ``connect``; after that, ``socket_principal`` (which every /agent
handler calls) re-validates the stored credentials whenever the cached principal is older than
``PRINCIPAL_TTL_SECONDS``: a deactivated, deleted or re-keyed user, a revoked or expired key,
or a changed role is seen by the next action at the latest. On top of that, every change of a
principal (``auth.revocation``) disconnects or refreshes its sockets on every api process at
once, so such a socket also stops *receiving* events.

A client can send an event *named* ``connect`` or ``disconnect``; python-socketio would run
the handlers again. ``_live`` holds the sids whose real connect ran, so a re-fired ``connect``
changes nothing and a fake ``disconnect`` is ignored (no phantom or vanished online agent).
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from typing import Any

from socketio.exceptions import ConnectionRefusedError as SioRefused

from baton.auth.permissions import Permission
from baton.auth.principal import Principal
from baton.auth.service import authenticate
from baton.kit.errors import Unauthorized
from baton.realtime.open_conversations import close_all
from baton.realtime.rooms import AGENTS_ROOM, INBOX_ALL_ROOM, SCOPED_AGENTS_ROOM, user_room
from baton.runtime import Runtime

log = logging.getLogger(__name__)

AGENT_NS = "/agent"
PRINCIPAL_TTL_SECONDS = 5.0
# how long a refused socket stays open so its error ack can reach the client
REFUSED_GRACE_SECONDS = 0.2

_runtimes: weakref.WeakKeyDictionary[Any, Runtime] = weakref.WeakKeyDictionary()
_live: weakref.WeakKeyDictionary[Any, set[str]] = weakref.WeakKeyDictionary()


def token_from_auth(auth: Any, environ: dict[str, Any]) -> str | None:
    if isinstance(auth, dict) and isinstance(auth.get("token"), str):
        return str(auth["token"])
    header = environ.get("HTTP_AUTHORIZATION", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def _authenticate_token(runtime: Runtime, token: str) -> Principal | None:
    async with runtime.db.session() as session:
        principal = await authenticate(session, runtime.settings, token)
        await session.commit()
    return principal


async def authenticate_socket(runtime: Runtime, auth: Any, environ: dict[str, Any]) -> Principal:
    """Return the principal or refuse the connection (the client sees connect_error)."""
    token = token_from_auth(auth, environ)
    if token is None:
        raise SioRefused({"error": "unauthorized", "detail": "auth.token is required"})
    principal = await _authenticate_token(runtime, token)
    if principal is None:
        raise SioRefused({"error": "unauthorized", "detail": "invalid or expired token"})
    return principal


async def _sync_rooms(sio: Any, sid: str, before: Principal | None, after: Principal) -> None:
    """Callers who read every conversation are in ``inbox:all``, the others in
    ``agents:scoped`` (told only that another person's conversation left their view)."""
    had = before is not None and before.has(Permission.CONVERSATIONS_READ_ALL)
    has = after.has(Permission.CONVERSATIONS_READ_ALL)
    if before is not None and has == had:
        return
    await sio.enter_room(sid, INBOX_ALL_ROOM if has else SCOPED_AGENTS_ROOM, namespace=AGENT_NS)
    if before is not None:
        await sio.leave_room(sid, SCOPED_AGENTS_ROOM if has else INBOX_ALL_ROOM, namespace=AGENT_NS)


def register_realtime(sio: Any, runtime: Runtime) -> None:
    """The /agent namespace refuses any connection without a valid token."""
    _runtimes[sio] = runtime
    live = _live.setdefault(sio, set())

    async def connect(sid: str, environ: Any = None, auth: Any = None) -> Any:
        if sid in live:  # an event named "connect" from an already connected client
            return {"error": "unknown_event", "detail": "'connect' is not an agent event"}
        live.add(sid)  # before any await: a racing fake "connect" is refused too
        try:
            principal = await authenticate_socket(
                runtime, auth, environ if isinstance(environ, dict) else {}
            )
        except BaseException:
            live.discard(sid)
            raise
        await sio.save_session(
            sid,
            {
                "principal": principal,
                "token": token_from_auth(auth, environ if isinstance(environ, dict) else {}),
                "checked_at": time.monotonic(),
                # counted as connected below; uncounted on disconnect even once refused
                "counted_user": principal.user_id,
            },
            namespace=AGENT_NS,
        )
        await sio.enter_room(sid, AGENTS_ROOM, namespace=AGENT_NS)
        await sio.enter_room(sid, user_room(principal.id), namespace=AGENT_NS)
        await _sync_rooms(sio, sid, None, principal)
        if principal.user_id is not None:
            await runtime.connections.connected(principal.user_id)
        return None

    async def disconnect(sid: str, *_: Any) -> Any:
        if sio.manager.is_connected(sid, AGENT_NS) or sid not in live:
            # a client's event named "disconnect" (a real one is no longer "connected")
            return {"error": "unknown_event", "detail": "'disconnect' is not an agent event"}
        live.discard(sid)
        session = await sio.get_session(sid, namespace=AGENT_NS)
        counted = session.pop("counted_user", None)
        if counted is not None:
            await close_all(runtime, session, counted)
            await runtime.connections.disconnected(counted)
        return None

    sio.on("connect", connect, namespace=AGENT_NS)
    sio.on("disconnect", disconnect, namespace=AGENT_NS)


def _drop_later(sio: Any, sid: str) -> None:
    async def drop() -> None:
        await asyncio.sleep(REFUSED_GRACE_SECONDS)
        await sio.disconnect(sid, namespace=AGENT_NS)

    task = asyncio.get_running_loop().create_task(drop())
    _pending.add(task)
    task.add_done_callback(_pending.discard)


_pending: set[asyncio.Task[None]] = set()


async def revalidate(sio: Any, sid: str, *, force: bool = False) -> Principal | None:
    """Check the socket's credentials again (when stale, or ``force``). Returns the current
    principal, or None after scheduling the socket's disconnection."""
    session = await sio.get_session(sid, namespace=AGENT_NS)
    principal: Principal | None = session.get("principal")
    if principal is None:
        return None
    if not force and time.monotonic() - session.get("checked_at", 0.0) < PRINCIPAL_TTL_SECONDS:
        return principal
    runtime = _runtimes.get(sio)
    token = session.get("token")
    fresh = (
        await _authenticate_token(runtime, token)
        if runtime is not None and isinstance(token, str)
        else None
    )
    if fresh is None:
        session["principal"] = None
        log.info("agent socket refused: credentials no longer valid", extra={"sid": sid})
        _drop_later(sio, sid)
        return None
    if fresh != principal:
        await _sync_rooms(sio, sid, principal, fresh)
    session["principal"] = fresh
    session["checked_at"] = time.monotonic()
    return fresh


async def socket_principal(sio: Any, sid: str) -> Principal:
    """The caller of an /agent event, re-validated when the cached principal is stale."""
    principal = await revalidate(sio, sid)
    if principal is None:
        raise Unauthorized("credentials are no longer valid", code="unauthorized")
    return principal


async def drop_principal_sockets(sio: Any, principal_ids: list[str]) -> int:
    """Disconnect this process's /agent sockets of these principals."""
    sids = [
        sid
        for pid in principal_ids
        for sid, _eio in list(sio.manager.get_participants(AGENT_NS, user_room(pid)))
    ]
    for sid in sids:
        try:
            session = await sio.get_session(sid, namespace=AGENT_NS)
            session["principal"] = None
        except KeyError:
            continue
        await sio.disconnect(sid, namespace=AGENT_NS)
    return len(sids)


async def refresh_role_sockets(sio: Any, roles: list[str]) -> None:
    """Re-validate this process's /agent sockets whose principal holds one of ``roles``."""
    for sid, _eio in list(sio.manager.get_participants(AGENT_NS, AGENTS_ROOM)):
        try:
            session = await sio.get_session(sid, namespace=AGENT_NS)
        except KeyError:
            continue
        principal: Principal | None = session.get("principal")
        if principal is not None and principal.role in roles:
            await revalidate(sio, sid, force=True)
