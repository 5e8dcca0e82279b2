from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from baton.db.base import Base, IdMixin, TimestampMixin


class WidgetSettings(IdMixin, TimestampMixin, Base):
    """How the widget looks to visitors. One row per site key (today only ``default``).

    Until an admin saves settings there is no row and the service serves the defaults. The
    welcome message is not here: it is the workspace setting ``welcome_message`` (one truth
    for the greeting that ``start_session`` sends), which the widget settings expose.
    """

    __tablename__ = "widget_settings"

    site_key: Mapped[str] = mapped_column(String(32), unique=True)
    title: Mapped[str] = mapped_column(String(60))
    color: Mapped[str] = mapped_column(String(7))
    position: Mapped[str] = mapped_column(String(8))
    launcher_text: Mapped[str] = mapped_column(String(40))
    updated_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
