"""Socket.IO event handlers as plain module-level functions, declared once.

``@actions.on("take_over", payload=ConversationRef, ack=ConversationAck, permission=...)``
does what every handler needs: decode and validate the payload, find the caller, check the
permission, open a unit of work (committed before the ack, so its events go out first), turn
domain errors into ``{error, detail}`` acks, encode the ack through its declared struct (the
realtime contract, ``baton.realtime.contract``) and give the handler a ``SocketCall``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from baton.kit.errors import Forbidden
from baton.kit.uow import UnitOfWork, unit_of_work
from baton.kit.validation import convert
from baton.realtime.contract import encode_ack
from baton.realtime.handlers import acked, error_ack

if TYPE_CHECKING:
    import socketio

    from baton.runtime import Runtime


@dataclass
class SocketCall:
    """One client event: the server, the runtime, the socket and (if asked for) the unit of
    work and the caller."""

    sio: socketio.AsyncServer
    runtime: Runtime
    sid: str
    namespace: str
    principal: Any = None
    _uow: UnitOfWork | None = None

    @property
    def uow(self) -> UnitOfWork:
        assert self._uow is not None, "this action was declared with uow=False"
        return self._uow

    async def session(self) -> dict[str, Any]:
        """The socket's server-side session (kept by python-socketio)."""
        state: dict[str, Any] = await self.sio.get_session(self.sid, namespace=self.namespace)
        return state

    async def save(self, state: dict[str, Any]) -> None:
        """Keep ``state`` as the socket's session; nothing to keep once the socket has gone
        (it disconnected while this action awaited: what the action stored stays stored)."""
        try:
            await self.sio.save_session(self.sid, state, namespace=self.namespace)
        except KeyError:  # python-engineio: "Session not found"
            if self.sio.manager.is_connected(self.sid, self.namespace):
                raise

    async def enter(self, room: str) -> None:
        await self.sio.enter_room(self.sid, room, namespace=self.namespace)

    async def leave(self, room: str) -> None:
        await self.sio.leave_room(self.sid, room, namespace=self.namespace)


ActionFn = Callable[..., Awaitable[Any]]
PrincipalOf = Callable[["socketio.AsyncServer", str], Awaitable[Any]]


@dataclass(frozen=True)
class Action:
    event: str
    fn: ActionFn
    payload: type[Any] | None
    ack: type[Any]
    permission: Any
    uow: bool


# every namespace's Actions, in creation order: the realtime contract reads them (typegen)
DECLARED: list[Actions] = []


@dataclass
class Actions:
    """The events of one namespace. ``principal_of`` finds the caller (None: anonymous)."""

    namespace: str
    principal_of: PrincipalOf | None = None
    actions: list[Action] = field(default_factory=list)
    lifecycle: dict[str, Callable[..., Awaitable[Any]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        DECLARED.append(self)

    def on(
        self,
        event: str,
        *,
        ack: type[Any],
        payload: type[Any] | None = None,
        permission: Any = None,
        uow: bool = True,
    ) -> Callable[[ActionFn], ActionFn]:
        """``payload``: the struct the client's data decodes into (None: the event takes
        none); ``ack``: the struct of a successful ack."""

        def decorate(fn: ActionFn) -> ActionFn:
            self.actions.append(Action(event, fn, payload, ack, permission, uow))
            return fn

        return decorate

    def on_connect(self, fn: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        self.lifecycle["connect"] = fn
        return fn

    def on_disconnect(self, fn: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        self.lifecycle["disconnect"] = fn
        return fn

    def handler(self, sio: socketio.AsyncServer, runtime: Runtime, action: Action) -> Any:
        namespace = self.namespace
        principal_of = self.principal_of

        @acked
        async def handle(sid: str, data: Any = None) -> Any:
            args: list[Any] = []
            if action.payload is not None:
                args.append(convert(data, action.payload))
            call = SocketCall(sio, runtime, sid, namespace)
            if principal_of is not None:
                call.principal = await principal_of(sio, sid)
                if action.permission is not None and not call.principal.has(action.permission):
                    raise Forbidden(f"missing permission: {action.permission.value}")
            if not action.uow:
                result = await action.fn(call, *args)
            else:
                async with unit_of_work(runtime) as uow:
                    call._uow = uow
                    result = await action.fn(call, *args)
            return encode_ack(action.ack, result, action.event)

        handle.__name__ = action.fn.__name__
        return handle

    def register(self, sio: socketio.AsyncServer, runtime: Runtime) -> None:
        for name, fn in self.lifecycle.items():
            sio.on(name, _bind(fn, sio, runtime, self.namespace), namespace=self.namespace)
        for action in self.actions:
            sio.on(action.event, self.handler(sio, runtime, action), namespace=self.namespace)
        namespace = self.namespace

        async def unknown(event: str, sid: str, data: Any = None) -> dict[str, Any]:
            return error_ack("unknown_event", f"{event!r} is not a {namespace} event")

        sio.on("*", unknown, namespace=self.namespace)


def _bind(
    fn: Callable[..., Awaitable[Any]],
    sio: socketio.AsyncServer,
    runtime: Runtime,
    namespace: str,
) -> Callable[..., Awaitable[Any]]:
    async def bound(sid: str, *args: Any) -> Any:
        return await fn(SocketCall(sio, runtime, sid, namespace), *args)

    return bound
