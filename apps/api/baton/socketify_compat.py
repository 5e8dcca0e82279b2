"""Run Baton under socketify 0.0.31, correcting its ASGI defects.

socketify is fast, but its ASGI bridge departs from the spec in ways that break Litestar and
anyio. Each defect is fixed here, and only here, and each fix is covered by
``tests/deploy/test_socketify_compat.py``:

1. ``query_string`` arrives with a leading ``?`` -> stripped (``fix_scope``).
2. ``path`` is the raw, still percent-encoded URL -> decoded as ASGI requires (``fix_scope``).
3. websocket scopes carry a ``method`` key, and Litestar then refuses the socket (4500 ->
   403) -> removed (``fix_scope``).
4. ``client`` is ``(host, None)`` -> ``(host, 0)``, so code reading the port does not fail.
5. Its ``RequestTask`` (installed as the loop's task factory and used for every request)
   does not support ``asyncio.current_task()`` semantics anyio's cancel scopes rely on, and
   streamed responses fail -> ``socketify.loop.create_task`` and ``socketify.asgi.create_task``
   build a plain ``asyncio.Task`` (``patch_task_factory``).
6. Lifespan shutdown never runs (its SIGINT handler calls ``exit(0)`` inside the loop, and
   SIGTERM is not handled at all) -> we run the ASGI lifespan protocol ourselves, start-up
   before listening and shutdown after SIGINT/SIGTERM closed the listening socket
   (``Lifespan`` and ``run_socketify``).
7. A response body given as ``bytearray``/``memoryview`` is silently dropped -> converted to
   ``bytes`` (``fix_send``).

socketify's prebuilt ``.so`` needs the system ``libuv1`` (Debian: ``apt-get install libuv1``;
``scripts/lib/common.sh`` installs it). socketify has no ``--workers`` here: run several
processes behind the proxy instead (``scripts/cluster``, ``docker/``).
"""

from __future__ import annotations

import asyncio
import contextvars
import importlib
import logging
import signal
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import unquote

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[Any]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def fix_scope(scope: Scope) -> Scope:
    """Return an ASGI-conformant copy of a socketify http/websocket scope."""
    if scope.get("type") not in ("http", "websocket"):
        return scope
    fixed = dict(scope)
    query = fixed.get("query_string", b"")
    if isinstance(query, str):
        query = query.encode("latin-1")
    if query.startswith(b"?"):
        query = query[1:]
    fixed["query_string"] = query
    raw_path = fixed.get("raw_path")
    if isinstance(raw_path, bytes) and b"%" in raw_path:
        fixed["path"] = unquote(raw_path.decode("latin-1"), encoding="utf-8", errors="replace")
    if fixed["type"] == "websocket":
        fixed.pop("method", None)
    client = fixed.get("client")
    if client is not None and (client[0] is None or client[1] is None):
        fixed["client"] = (client[0] or "", client[1] or 0) if client[0] else None
    return fixed


def fix_send(send: Send) -> Send:
    async def sender(message: Message) -> Any:
        body = message.get("body")
        if isinstance(body, bytearray | memoryview):
            message = {**message, "body": bytes(body)}
        return await send(message)

    return sender


class CompatApp:
    """ASGI middleware that hands the wrapped app conformant scopes and sends."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("type") == "lifespan":
            await self.app(scope, receive, send)
            return
        await self.app(fix_scope(scope), receive, fix_send(send))


def plain_create_task(
    loop: asyncio.AbstractEventLoop,
    coro: Any,
    default_done_callback: Callable[[Any], Any] | None = None,
    context: contextvars.Context | None = None,
) -> asyncio.Task[Any]:
    """Drop-in for ``socketify.tasks.create_task`` that builds a standard ``asyncio.Task``."""
    task: asyncio.Task[Any] = asyncio.Task(coro, loop=loop, context=context)
    if default_done_callback is not None:
        task.add_done_callback(default_done_callback)
    return task


def patch_task_factory() -> None:
    """Make every task socketify creates (requests, the loop's factory) a plain Task."""
    for name in ("socketify.loop", "socketify.asgi"):
        module = importlib.import_module(name)
        module.create_task = plain_create_task  # type: ignore[attr-defined]


class LifespanError(RuntimeError):
    pass


class Lifespan:
    """Drive the ASGI lifespan protocol of ``app`` on the current event loop."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.inbox: asyncio.Queue[Message] = asyncio.Queue()
        self.started = asyncio.Event()
        self.stopped = asyncio.Event()
        self.failure: str | None = None
        self.task: asyncio.Task[None] | None = None
        self.supported = True

    async def _receive(self) -> Message:
        return await self.inbox.get()

    async def _send(self, message: Message) -> None:
        kind = message["type"]
        if kind == "lifespan.startup.complete":
            self.started.set()
        elif kind == "lifespan.startup.failed":
            self.failure = str(message.get("message", "startup failed"))
            self.started.set()
        elif kind == "lifespan.shutdown.complete":
            self.stopped.set()
        elif kind == "lifespan.shutdown.failed":
            self.failure = str(message.get("message", "shutdown failed"))
            self.stopped.set()

    async def _main(self) -> None:
        scope = {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.3"}}
        try:
            await self.app(scope, self._receive, self._send)
        except Exception as exc:  # an app without lifespan support raises on the scope
            if not self.started.is_set():
                self.supported = False
                log.info("ASGI app does not support lifespan: %s", exc)
            else:
                self.failure = repr(exc)
        finally:
            self.started.set()
            self.stopped.set()

    async def startup(self) -> None:
        self.task = asyncio.ensure_future(self._main())
        await self.inbox.put({"type": "lifespan.startup"})
        await self.started.wait()
        if self.failure:
            raise LifespanError(self.failure)

    async def shutdown(self, timeout: float = 30) -> None:
        if self.task is None or not self.supported or self.task.done():
            return
        await self.inbox.put({"type": "lifespan.shutdown"})
        async with asyncio.timeout(timeout):
            await self.stopped.wait()
        if self.task is not None:
            async with asyncio.timeout(timeout):
                await self.task
        if self.failure:
            raise LifespanError(self.failure)


def load_app(target: str) -> ASGIApp:
    module_name, _, attr = target.partition(":")
    app: ASGIApp = getattr(importlib.import_module(module_name), attr or "app")
    return app


def run_socketify(
    target: str | ASGIApp,
    *,
    host: str,
    port: int,
    on_listen: Callable[[], None] | None = None,
) -> None:
    """Serve ``target`` (``module:attr`` or an ASGI app) until SIGINT/SIGTERM, then shut down."""
    try:
        from socketify import AppListenOptions
        from socketify.asgi import _ASGI
    except OSError as exc:  # the prebuilt .so could not load its libuv
        raise SystemExit(
            f"socketify cannot load its native library ({exc}); "
            "install the system libuv (Debian: apt-get install libuv1)"
        ) from exc

    patch_task_factory()
    inner = load_app(target) if isinstance(target, str) else target
    app = CompatApp(inner)
    # lifespan=False: socketify's own lifespan never runs shutdown; we drive it below.
    server = _ASGI(
        app,
        websocket=True,
        websocket_options={"idle_timeout": 60, "max_payload_length": 16 * 1024 * 1024},
        task_factory_max_items=0,
        lifespan=False,
    )
    uws = server.server
    loop: asyncio.AbstractEventLoop = uws.loop.loop

    lifespan = Lifespan(app)
    loop.run_until_complete(lifespan.startup())

    listening: list[Any] = []

    def listened(config: Any) -> None:
        # socketify calls this only on success (a failure raises inside its C callback)
        listening.append(config)
        log.info("socketify listening on http://%s:%s", host, port)
        if on_listen is not None:
            on_listen()

    server.listen(AppListenOptions(port=port, host=host), listened)
    if not listening:
        loop.run_until_complete(lifespan.shutdown())
        raise SystemExit(f"socketify could not listen on {host}:{port}")

    stopping = False

    def stop() -> None:
        nonlocal stopping
        if stopping:
            return
        stopping = True
        log.info("socketify shutting down")
        uws.close()  # closes the listening socket and stops the loop

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop)
    try:
        # not uws.run(): it installs a SIGINT handler that exit()s inside the loop
        uws.loop.run()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
        try:
            loop.run_until_complete(lifespan.shutdown())
        finally:
            uws.loop.dispose()
