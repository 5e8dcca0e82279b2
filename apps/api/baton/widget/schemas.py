from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from baton.visitors.rules import ProactiveRule
from baton.widget.service import WidgetTheme

Title = Annotated[str, msgspec.Meta(max_length=60)]
Color = Annotated[str, msgspec.Meta(pattern=r"^#[0-9a-fA-F]{6}$")]
LauncherText = Annotated[str, msgspec.Meta(max_length=40)]
Welcome = Annotated[str, msgspec.Meta(max_length=2000)]


class WidgetConfigOut(msgspec.Struct):
    """What the widget needs to draw itself (public: any visitor's browser reads it)."""

    title: str
    color: str
    position: str
    launcher_text: str
    welcome_message: str

    @classmethod
    def of(cls, theme: WidgetTheme) -> WidgetConfigOut:
        return cls(
            title=theme.title,
            color=theme.color,
            position=theme.position,
            launcher_text=theme.launcher_text,
            welcome_message=theme.welcome_message,
        )


class WidgetPublicConfigOut(WidgetConfigOut):
    """The theme plus whether anyone answers now: ``online`` follows the business hours,
    ``agents_online`` whether an agent is online, ``next_open_at`` when closed."""

    online: bool = True
    agents_online: bool = False
    next_open_at: datetime | None = None
    # the median first human reply of the last two weeks (docs/widget.md); null: too few
    typical_reply_seconds: float | None = None
    # proactive messages the widget shows by itself (docs/visitors.md)
    proactive_rules: list[ProactiveRule] = msgspec.field(default_factory=list)


class WidgetSettingsOut(WidgetConfigOut):
    """What admins see: the public look, the sites allowed to embed it, when it changed."""

    updated_at: datetime | None = None
    allowed_origins: list[str] = msgspec.field(default_factory=list)
    identity_verification: bool = False
    # the satisfaction survey after a conversation is resolved (docs/csat.md)
    csat_enabled: bool = True
    csat_question: str = ""
    csat_delay_seconds: int = 0

    @classmethod
    def of(cls, theme: WidgetTheme) -> WidgetSettingsOut:
        return cls(
            title=theme.title,
            color=theme.color,
            position=theme.position,
            launcher_text=theme.launcher_text,
            welcome_message=theme.welcome_message,
            updated_at=theme.updated_at,
            allowed_origins=list(theme.allowed_origins),
            identity_verification=theme.identity_verification,
            csat_enabled=theme.csat_enabled,
            csat_question=theme.csat_question,
            csat_delay_seconds=theme.csat_delay_seconds,
        )


class WidgetSettingsPatch(msgspec.Struct, forbid_unknown_fields=True):
    title: Title | None = None
    color: Color | None = None
    position: str | None = None
    launcher_text: LauncherText | None = None
    welcome_message: Welcome | None = None
    # origins (scheme://host[:port]) that may frame the widget; [] for any site
    allowed_origins: (
        Annotated[list[Annotated[str, msgspec.Meta(max_length=300)]], msgspec.Meta(max_length=50)]
        | None
    ) = None
    # visitors who send visitor.external_id must send a valid identity_hash too
    identity_verification: bool | None = None
    # ask for a 1-5 rating after resolve; the question; seconds to wait before asking
    csat_enabled: bool | None = None
    csat_question: Annotated[str, msgspec.Meta(min_length=1, max_length=200)] | None = None
    csat_delay_seconds: Annotated[int, msgspec.Meta(ge=0, le=3600)] | None = None


class IdentitySecretOut(msgspec.Struct):
    """The key a site's server signs visitor ids with: hex HMAC-SHA256(secret, external_id)."""

    secret: str
    identity_verification: bool


class SnippetOut(msgspec.Struct):
    """The one tag a site owner pastes before ``</body>``."""

    snippet: str
    loader_url: str
