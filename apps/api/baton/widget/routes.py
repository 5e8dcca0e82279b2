from __future__ import annotations

import msgspec
from litestar import Controller, Response, get, patch, post

from baton.analytics.reply_time import typical_reply_seconds
from baton.audit.service import diff, record_audit
from baton.auth.edge import PUBLIC, requires
from baton.auth.permissions import Permission
from baton.auth.principal import Principal
from baton.hours.availability import availability
from baton.kit.errors import NotFound
from baton.kit.http import errors
from baton.kit.uow import UnitOfWork
from baton.runtime import Runtime
from baton.settings import PROJECT_ROOT
from baton.visitors import identity
from baton.visitors.rules import load as proactive_rules
from baton.widget import service
from baton.widget.schemas import (
    IdentitySecretOut,
    SnippetOut,
    WidgetConfigOut,
    WidgetPublicConfigOut,
    WidgetSettingsOut,
    WidgetSettingsPatch,
)
from baton.widget.welcome import welcome_for

WIDGET_DIST = PROJECT_ROOT / "apps" / "widget" / "dist"


class WidgetController(Controller):
    path = "/api/v1/widget"
    tags = ["widget"]

    @get("/config", opt=PUBLIC, cache=False, responses=errors())
    async def config(self, uow: UnitOfWork) -> WidgetPublicConfigOut:
        """The widget's theme and availability, read by every visitor's browser."""
        theme = WidgetConfigOut.of(await service.get_theme(uow.session))
        status = await availability(uow)
        # before a session nobody is known: the variables take their fallbacks; the
        # start_session ack brings the visitor's own (baton.widget.welcome)
        theme.welcome_message = welcome_for(theme.welcome_message)
        return WidgetPublicConfigOut(
            **msgspec.structs.asdict(theme),
            online=status.online,
            agents_online=status.agents_online,
            next_open_at=status.next_open_at,
            typical_reply_seconds=await typical_reply_seconds(uow),
            proactive_rules=(await proactive_rules(uow.session)).rules,
        )

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
            identity_verification=data.identity_verification,
            csat=service.CsatPatch(data.csat_enabled, data.csat_question, data.csat_delay_seconds),
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
        "/identity-secret",
        guards=[requires(Permission.SETTINGS_MANAGE)],
        responses=errors(403),
    )
    async def identity_secret(self, uow: UnitOfWork, principal: Principal) -> IdentitySecretOut:
        """The identity-verification secret (made on first read); keep it on your server."""
        existing = await identity.secret(uow, create=False)
        value = existing or await identity.rotate(uow)
        if existing is None:
            record_audit(uow, principal, "widget.identity_secret_created", "widget", "default", {})
        config = await service.get_theme(uow.session)
        return IdentitySecretOut(value, config.identity_verification)

    @post(
        "/identity-secret/rotate",
        guards=[requires(Permission.SETTINGS_MANAGE)],
        responses=errors(403),
        status_code=200,
    )
    async def rotate_identity_secret(
        self, uow: UnitOfWork, principal: Principal
    ) -> IdentitySecretOut:
        """A new secret; hashes signed with the old one are refused from now on."""
        value = await identity.rotate(uow)
        record_audit(uow, principal, "widget.identity_secret_rotated", "widget", "default", {})
        config = await service.get_theme(uow.session)
        return IdentitySecretOut(value, config.identity_verification)

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
