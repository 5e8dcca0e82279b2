from __future__ import annotations

import msgspec
from litestar import Controller, Response, get, patch

from baton.audit.service import diff, record_audit
from baton.auth.edge import PUBLIC, requires
from baton.auth.permissions import Permission
from baton.auth.principal import Principal
from baton.kit.errors import NotFound
from baton.kit.http import errors
from baton.kit.uow import UnitOfWork
from baton.runtime import Runtime
from baton.settings import PROJECT_ROOT
from baton.widget import service
from baton.widget.schemas import SnippetOut, WidgetConfigOut, WidgetSettingsOut, WidgetSettingsPatch

WIDGET_DIST = PROJECT_ROOT / "apps" / "widget" / "dist"


class WidgetController(Controller):
    path = "/api/v1/widget"
    tags = ["widget"]

    @get("/config", opt=PUBLIC, cache=False)
    async def config(self, uow: UnitOfWork) -> WidgetConfigOut:
        """The widget's theme, read by every visitor's browser (no credentials)."""
        return WidgetConfigOut.of(await service.get_theme(uow.session))

    @get(
        "/settings",
        guards=[requires(Permission.SETTINGS_MANAGE)],
        responses=errors(403),
    )
    async def get_settings(self, uow: UnitOfWork) -> WidgetSettingsOut:
        return WidgetSettingsOut.of(await service.get_theme(uow.session))

    @patch(
        "/settings",
        guards=[requires(Permission.SETTINGS_MANAGE)],
        responses=errors(403),
    )
    async def update_settings(
        self, uow: UnitOfWork, principal: Principal, data: WidgetSettingsPatch
    ) -> WidgetSettingsOut:
        before = WidgetSettingsOut.of(await service.get_theme(uow.session))
        theme = await service.update_theme(
            uow.session,
            updated_by=principal.user_id,
            title=data.title,
            color=data.color,
            position=data.position,
            launcher_text=data.launcher_text,
            welcome_message=data.welcome_message,
            allowed_origins=data.allowed_origins,
        )
        after = WidgetSettingsOut.of(theme)
        changes = diff(
            {k: v for k, v in msgspec.to_builtins(before).items() if k != "updated_at"},
            {k: v for k, v in msgspec.to_builtins(after).items() if k != "updated_at"},
        )
        if changes:
            record_audit(uow, principal, "widget.settings_updated", "widget", "default", changes)
        return after

    @get(
        "/snippet",
        guards=[requires(Permission.SETTINGS_MANAGE)],
        responses=errors(403),
    )
    async def snippet(self, runtime: Runtime) -> SnippetOut:
        public_url = runtime.settings.public_url
        return SnippetOut(
            snippet=service.embed_snippet(public_url), loader_url=service.loader_url(public_url)
        )


@get("/widget.js", opt=PUBLIC, include_in_schema=False)
async def widget_loader() -> Response[bytes]:
    """The loader under a short, stable address (the built file is ``/widget/loader.js``)."""
    path = WIDGET_DIST / "loader.js"
    try:
        body = path.read_bytes()
    except FileNotFoundError:
        raise NotFound("the widget is not built (npm run build in apps/widget)") from None
    return Response(
        body,
        media_type="text/javascript; charset=utf-8",
        headers={
            # short: a new release reaches every site within minutes
            "Cache-Control": "public, max-age=300",
            "Cross-Origin-Resource-Policy": "cross-origin",
        },
    )
