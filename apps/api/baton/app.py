"""The ASGI application: Litestar (REST, OpenAPI, static front ends) with Socket.IO beside it."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import socketio
from litestar import Litestar, Request, Response
from litestar.config.cors import CORSConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.types import ASGIApp, Receive, Scope, Send

from baton import catalog
from baton.auth.edge import BearerAuthMiddleware
from baton.dependencies import provide_principal, provide_runtime, provide_uow
from baton.jobs.registry import load_all
from baton.kit.gc_tuning import tune_gc
from baton.kit.headers import cors_origins, security_headers, socket_origin_check
from baton.kit.http import error_response
from baton.kit.inputs import input_guard
from baton.kit.logging import configure_logging, correlation_id, new_correlation_id
from baton.kit.tls import force_tls
from baton.realtime.server import build_sio
from baton.runtime import Runtime, build_runtime
from baton.settings import PROJECT_ROOT, Settings, get_settings

log = logging.getLogger(__name__)
access_log = logging.getLogger("baton.access")

STATIC_MOUNTS = {
    "/app": PROJECT_ROOT / "apps" / "admin_web" / "dist",
    "/widget": PROJECT_ROOT / "apps" / "widget" / "dist",
}
PUBLIC_PATHS = ["^/health", "^/schema", "^/app", "^/widget", "^/demo", "^/$"]


def request_id_middleware(app: ASGIApp) -> ASGIApp:
    """Give every request a correlation id (honouring X-Request-ID) and echo it back."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # type: ignore[comparison-overlap]
            await app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode()[:64]
        rid = incoming if incoming.isprintable() and incoming else new_correlation_id()
        token = correlation_id.set(rid)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", rid.encode())]
            await send(message)

        try:
            await app(scope, receive, send_with_id)
        finally:
            access_log.info(
                "request",
                extra={
                    "method": scope.get("method"),
                    "path": scope.get("path"),
                    "status": status,
                    "ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
            correlation_id.reset(token)

    return middleware


def _static_handlers() -> list[Any]:
    from litestar.static_files import create_static_files_router

    routers = []
    for path, directory in STATIC_MOUNTS.items():
        if directory.is_dir():
            routers.append(
                create_static_files_router(
                    path=path,
                    directories=[directory],
                    html_mode=True,
                    opt={"public": True},
                    include_in_schema=False,
                )
            )
    return routers


def create_app(settings: Settings | None = None) -> tuple[Litestar, socketio.AsyncServer, Runtime]:
    settings = settings or get_settings()
    configure_logging(
        settings.log_level,
        settings.log_json,
        redact_pii=settings.log_redact_pii,
        region=settings.pii_phone_region,
    )
    load_all()
    sio = build_sio(settings)
    # browsers: the configured origins plus the api's own (never any origin with credentials)
    sio.eio.cors_allowed_origins = socket_origin_check(settings.cors_origins, settings.public_url)
    sio.eio.cors_credentials = "*" not in settings.cors_origins
    runtime = build_runtime(settings, sio=sio)
    catalog.register_realtime(sio, runtime)

    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        await runtime.start()
        warming = [asyncio.create_task(c) for c in catalog.warm_ups(runtime)]
        tune_gc(settings.gc_gen0_threshold)
        log.info(
            "baton api started",
            extra={"database": runtime.db.dialect, "redis": bool(runtime.redis)},
        )
        try:
            yield
        finally:
            for task in warming:
                task.cancel()
            await runtime.stop()

    def exception_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
        return error_response(request, exc)

    cors = CORSConfig(
        allow_origins=cors_origins(settings.cors_origins, settings.public_url),
        allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
        allow_methods=["GET", "POST", "PATCH", "PUT", "DELETE", "OPTIONS"],
        expose_headers=["X-Request-ID", "Retry-After"],
    )
    app = Litestar(
        route_handlers=[*catalog.route_handlers(), *_static_handlers()],
        dependencies={
            "uow": Provide(provide_uow),
            "runtime": Provide(provide_runtime, sync_to_thread=False),
            "principal": Provide(provide_principal, sync_to_thread=False),
        },
        middleware=[
            DefineMiddleware(
                BearerAuthMiddleware, exclude=PUBLIC_PATHS, exclude_from_auth_key="public"
            ),
        ],
        exception_handlers={Exception: exception_handler},
        cors_config=cors,
        state=State({"runtime": runtime}),
        lifespan=[lifespan],
        request_max_body_size=settings.max_body_bytes,
        openapi_config=OpenAPIConfig(
            title="Baton API",
            version="1.0.0",
            description="AI-first customer support: conversations, handoff, AI providers.",
            path="/schema",
            render_plugins=[ScalarRenderPlugin()],
            components=Components(
                security_schemes={
                    "bearer": SecurityScheme(
                        type="http", scheme="bearer", description="Access token or API key"
                    )
                }
            ),
            security=[{"bearer": []}],
        ),
        debug=False,
        logging_config=None,  # keep our structured logging (Litestar would reconfigure the root logger)
    )
    return app, sio, runtime


def wrap_asgi(app: Litestar, sio: socketio.AsyncServer) -> Any:
    """One ASGI app on one port: /socket.io goes to python-socketio, the rest to Litestar."""
    runtime: Runtime = app.state.runtime
    combined = socketio.ASGIApp(
        sio,
        other_asgi_app=security_headers(
            request_id_middleware(input_guard(app, runtime.settings.max_body_bytes)),
            widget_frame_ancestors(runtime),
        ),
        socketio_path="socket.io",
    )
    settings: Settings = runtime.settings
    return force_tls(combined, settings.public_url) if settings.force_tls else combined


def widget_frame_ancestors(runtime: Runtime) -> Any:
    """The sites allowed to frame the widget (workspace setting, cached for a moment)."""
    from baton.workspace.service import get_config

    async def ancestors() -> list[str]:
        async with runtime.db.session() as session:
            return list((await get_config(session)).widget_allowed_origins)

    return ancestors


def build_asgi(settings: Settings | None = None) -> Any:
    app, sio, _runtime = create_app(settings)
    return wrap_asgi(app, sio)
