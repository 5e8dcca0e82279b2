"""The list of domains. The app, the worker, Alembic and ``baton demo`` read this file.

Each domain is a package under ``baton/`` with any of: ``models`` (tables), ``routes``
(Litestar controllers and handlers, found by type), ``realtime`` (``register(sio, runtime)``),
``listeners`` (domain-event listeners), ``jobs`` (job and cron decorators) and ``seed``
(``async def seed(session)`` for the demo workspace). Adding a domain is one line here.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable
from types import ModuleType
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

DOMAINS = (
    "users",
    "auth",
    "notifications",
    "health",
    "workspace",
    "visitors",
    "conversations",
    "widget",
    "knowledge",
    "ai",
    "copilot",
    "tools",
    "analytics",
    "audit",
    "exports",
    "mail",
    "tickets",
    "csat",
    "webhooks",
    "canned",
    "hours",
    "attachments",
    "keys",
)


def _modules(kind: str) -> list[ModuleType]:
    found = []
    for domain in DOMAINS:
        name = f"baton.{domain}.{kind}"
        try:
            found.append(importlib.import_module(name))
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
    return found


def import_models() -> None:
    _modules("models")


def import_listeners() -> None:
    import_models()
    _modules("listeners")


def import_jobs() -> None:
    import_listeners()
    importlib.import_module("baton.jobs.events")
    _modules("jobs")


def route_handlers() -> list[Any]:
    from litestar import Controller
    from litestar.handlers import BaseRouteHandler

    handlers: list[Any] = []
    for module in _modules("routes"):
        for value in vars(module).values():  # what the module defines, not what it imports
            defined_in: str | None
            if isinstance(value, type) and issubclass(value, Controller):
                defined_in = value.__module__
            elif isinstance(value, BaseRouteHandler):
                defined_in = getattr(value.fn, "__module__", None)
            else:
                continue
            if defined_in == module.__name__:
                handlers.append(value)
    return handlers


def import_realtime() -> list[ModuleType]:
    """The domains' socket handlers (and so their ``Actions``: the realtime contract)."""
    import_listeners()
    return _modules("realtime")


def register_realtime(sio: Any, runtime: Any) -> None:
    for module in import_realtime():
        register = getattr(module, "register", None) or module.register_realtime
        register(sio, runtime)


def seeders() -> list[Callable[[AsyncSession], Awaitable[None]]]:
    return [module.seed for module in _modules("seed")]


def warm_ups(runtime: Any) -> list[Any]:
    """Coroutines the api runs in the background once it has started."""
    from baton.ai.fleet import warm_up
    from baton.ai.resume import resume_loop
    from baton.auth.revocation import listen as principal_changes

    return [warm_up(runtime), principal_changes(runtime), resume_loop(runtime)]
