"""The list of domains: their models, routes, realtime handlers and jobs.

Adding a domain means adding it here once; the app, the worker and Alembic read this file.
"""

from __future__ import annotations

import importlib
from typing import Any

DOMAINS = (
    "users",
    "auth",
    "notifications",
    "health",
    "workspace",
    "conversations",
    "widget",
    "knowledge",
    "ai",
    "analytics",
    "exports",
)


def import_models() -> None:
    for domain in DOMAINS:
        try:
            importlib.import_module(f"baton.{domain}.models")
        except ModuleNotFoundError as exc:
            if exc.name != f"baton.{domain}.models":
                raise


def import_jobs() -> None:
    import_models()
    for domain in DOMAINS:
        try:
            importlib.import_module(f"baton.{domain}.jobs")
        except ModuleNotFoundError as exc:
            if exc.name != f"baton.{domain}.jobs":
                raise


def route_handlers() -> list[Any]:
    from baton.ai.routes import (
        AIController,
        AILogsController,
        AutoRepliesController,
        ProvidersController,
    )
    from baton.analytics.routes import AnalyticsController
    from baton.auth.routes import ApiKeysController, AuthController
    from baton.conversations.routes import ConversationsController
    from baton.exports.routes import ExportsController
    from baton.health.routes import health
    from baton.knowledge.routes import KnowledgeController
    from baton.users.routes import UsersController
    from baton.widget.routes import WidgetController, widget_loader
    from baton.workspace.routes import WorkspaceController

    return [
        health,
        AuthController,
        ApiKeysController,
        UsersController,
        WorkspaceController,
        ConversationsController,
        AnalyticsController,
        ExportsController,
        WidgetController,
        widget_loader,
        KnowledgeController,
        ProvidersController,
        AIController,
        AutoRepliesController,
        AILogsController,
    ]


def register_realtime(sio: Any, runtime: Any) -> None:
    from baton.ai.replier import reply as ai_reply
    from baton.auth.realtime import register_realtime as auth_realtime
    from baton.conversations.bot import set_bot_replier
    from baton.conversations.realtime import register_realtime as conversations_realtime

    auth_realtime(sio, runtime)
    conversations_realtime(sio, runtime)
    set_bot_replier(ai_reply)  # the AI answers visitors first (baton.ai.replier)


def warm_ups(runtime: Any) -> list[Any]:
    """Coroutines the api runs in the background once it has started."""
    from baton.ai.fleet import warm_up

    return [warm_up(runtime)]
