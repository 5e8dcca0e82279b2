"""When a principal changes, its live /agent sockets follow on every api process at once.

- ``revoke_sockets(uow, ids)``: after the unit of work commits, every socket of these users or
  API keys is disconnected (deactivation, deletion, role change, password change, revocation).
  The client may reconnect; with still-valid credentials it gets a fresh principal.
- ``refresh_role_sockets(uow, roles)``: after a role's permissions change, every socket of a
  user holding it re-validates (it gains or loses ``inbox:all`` without reconnecting).

With Redis the message goes out on ``<namespace>:principals`` and every api process (each runs
``listen``) acts on its own sockets; the worker can publish too. Embedded, there is one
process: it acts directly. Nothing is sent for a rolled-back change.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

from baton.auth import realtime as socket_auth
from baton.auth.service import refresh_roles
from baton.runtime import Runtime

log = logging.getLogger(__name__)


def channel(runtime: Runtime) -> str:
    return f"{runtime.settings.redis_namespace}:principals"


async def _act(runtime: Runtime, message: dict[str, Any]) -> None:
    if message.get("roles_changed"):
        await refresh_roles(runtime, force=True)
    sio = runtime.sio
    if sio is None:
        return
    if message.get("revoke"):
        await socket_auth.drop_principal_sockets(sio, [str(i) for i in message["revoke"]])
    if message.get("refresh_roles"):
        await socket_auth.refresh_role_sockets(sio, [str(r) for r in message["refresh_roles"]])


async def announce(runtime: Runtime, message: dict[str, Any]) -> None:
    """Deliver a principal change to every api process (this one included)."""
    if runtime.redis is not None:
        try:
            await runtime.redis.publish(channel(runtime), json.dumps(message))
            return
        except Exception:  # Redis down: at least this process acts; others re-validate by TTL
            log.exception("could not publish a principal change")
    await _act(runtime, message)


def revoke_sockets(uow: Any, principal_ids: list[object]) -> None:
    ids = [str(i) for i in principal_ids]
    if not ids:
        return

    async def hook() -> None:
        await announce(uow.runtime, {"revoke": ids})

    uow.after_commit(hook)


def refresh_role_sockets(uow: Any, roles: list[str]) -> None:
    async def hook() -> None:
        await announce(uow.runtime, {"refresh_roles": roles, "roles_changed": True})

    uow.after_commit(hook)


async def listen(runtime: Runtime) -> None:
    """An api process's subscriber (runs for the life of the process; needs Redis)."""
    if runtime.redis is None or runtime.sio is None:
        return
    while True:
        pubsub = runtime.redis.pubsub()
        try:
            await pubsub.subscribe(channel(runtime))
            async for item in pubsub.listen():
                if item.get("type") != "message":
                    continue
                try:
                    await _act(runtime, json.loads(item["data"]))
                except Exception:
                    log.exception("principal change failed")
        except asyncio.CancelledError:
            raise
        except Exception:
            log.warning("principal-change subscription lost; resubscribing", exc_info=True)
            await asyncio.sleep(1)
        finally:
            with contextlib.suppress(Exception):
                await pubsub.aclose()  # type: ignore[no-untyped-call]
