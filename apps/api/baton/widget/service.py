"""Widget theming rules. Services flush, never commit: the unit of work does.

The welcome message is the workspace setting ``welcome_message`` (the conversations domain
greets new visitors with it); the widget settings read and write it through the workspace
service so there is one truth for it.
"""

from __future__ import annotations

import html
import re
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from baton.kit.errors import ValidationFailed
from baton.widget.models import WidgetSettings
from baton.workspace import service as workspace
from baton.workspace.service import WorkspacePatch

DEFAULT_SITE = "default"
POSITIONS = ("right", "left")
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True)
class WidgetTheme:
    title: str
    color: str
    position: str
    launcher_text: str
    welcome_message: str
    updated_at: datetime | None = None
    allowed_origins: tuple[str, ...] = ()
    identity_verification: bool = False
    csat_enabled: bool = True
    csat_question: str = ""
    csat_delay_seconds: int = 0


@dataclass(frozen=True)
class CsatPatch:
    """The satisfaction survey's settings (stored as workspace settings ``csat_*``)."""

    enabled: bool | None = None
    question: str | None = None
    delay_seconds: int | None = None


@dataclass(frozen=True)
class _Look:
    title: str
    color: str
    position: str
    launcher_text: str


DEFAULT_LOOK = _Look(
    title="Support", color="#4f46e5", position="right", launcher_text="Chat with us"
)


async def _row(session: AsyncSession, site_key: str) -> WidgetSettings | None:
    return await session.scalar(select(WidgetSettings).where(WidgetSettings.site_key == site_key))


async def get_theme(session: AsyncSession, site_key: str = DEFAULT_SITE) -> WidgetTheme:
    """The saved theme, or the defaults when nobody has saved one (reading writes nothing)."""
    row = await _row(session, site_key)
    config = await workspace.get_config(session)
    welcome = config.welcome_message
    look: _Look | WidgetSettings = DEFAULT_LOOK if row is None else row
    return WidgetTheme(
        title=look.title,
        color=look.color,
        position=look.position,
        launcher_text=look.launcher_text,
        welcome_message=welcome,
        updated_at=None if row is None else row.updated_at,
        allowed_origins=tuple(config.widget_allowed_origins),
        identity_verification=config.identity_verification,
        csat_enabled=config.csat_enabled,
        csat_question=config.csat_question,
        csat_delay_seconds=config.csat_delay_seconds,
    )


def _text(value: str, field: str, max_length: int, *, allow_empty: bool = False) -> str:
    value = value.strip()
    if (not value and not allow_empty) or len(value) > max_length:
        low = 0 if allow_empty else 1
        raise ValidationFailed(f"{field} must be {low}-{max_length} characters")
    return value


async def update_theme(
    session: AsyncSession,
    *,
    updated_by: uuid.UUID | None,
    title: str | None = None,
    color: str | None = None,
    position: str | None = None,
    launcher_text: str | None = None,
    welcome_message: str | None = None,
    allowed_origins: list[str] | None = None,
    identity_verification: bool | None = None,
    csat: CsatPatch | None = None,
    site_key: str = DEFAULT_SITE,
) -> WidgetTheme:
    """Change the given fields; the first save stores the defaults for the rest."""
    if color is not None and not _COLOR.match(color):
        raise ValidationFailed("color must be a hex colour like #4f46e5")
    if position is not None and position not in POSITIONS:
        raise ValidationFailed(f"position must be one of: {', '.join(POSITIONS)}")
    row = await _row(session, site_key)
    if row is None:
        row = WidgetSettings(
            site_key=site_key,
            title=DEFAULT_LOOK.title,
            color=DEFAULT_LOOK.color,
            position=DEFAULT_LOOK.position,
            launcher_text=DEFAULT_LOOK.launcher_text,
        )
        session.add(row)
    if title is not None:
        row.title = _text(title, "title", 60)
    if color is not None:
        row.color = color.lower()
    if position is not None:
        row.position = position
    if launcher_text is not None:
        row.launcher_text = _text(launcher_text, "launcher_text", 40, allow_empty=True)
    row.updated_by_id = updated_by
    csat = csat or CsatPatch()
    if (
        welcome_message is not None
        or allowed_origins is not None
        or identity_verification is not None
        or csat != CsatPatch()
    ):
        # validated (and stored) by the workspace settings, which own the greeting, the
        # sites allowed to frame the widget and whether visitors must prove who they are
        await workspace.update_config(
            session,
            WorkspacePatch(
                welcome_message=welcome_message,
                widget_allowed_origins=allowed_origins,
                identity_verification=identity_verification,
                csat_enabled=csat.enabled,
                csat_question=csat.question.strip() if csat.question is not None else None,
                csat_delay_seconds=csat.delay_seconds,
            ),
        )
    await session.flush()
    await session.refresh(row)
    return await get_theme(session, site_key)


def loader_url(public_url: str) -> str:
    return f"{public_url.rstrip('/')}/widget.js"


def embed_snippet(public_url: str) -> str:
    """The tag to paste before ``</body>``; settings go in data attributes (see docs/widget.md)."""
    src = html.escape(loader_url(public_url), quote=True)
    return f'<script src="{src}" async></script>'
