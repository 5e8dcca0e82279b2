from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from baton.db.base import Base, IdMixin, TimestampMixin

VISIBILITIES = ("personal", "global")


def scope_of(visibility: str, owner_id: uuid.UUID | None) -> str:
    """Shortcuts are unique per scope: the workspace's globals, or one person's own."""
    return "global" if visibility == "global" else f"user:{owner_id}"


class CannedResponse(IdMixin, TimestampMixin, Base):
    __tablename__ = "canned_responses"
    __table_args__ = (UniqueConstraint("scope", "shortcut"),)

    shortcut: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(String(64), default=None)
    visibility: Mapped[str] = mapped_column(String(16))  # personal | global
    # "global" or "user:<owner id>": a NULL owner would not take part in the unique key
    scope: Mapped[str] = mapped_column(String(48))
    owner_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), default=None, index=True
    )
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(default=None)


class CannedCategory(IdMixin, Base):
    """The categories an import may name (creating a response names new ones)."""

    __tablename__ = "canned_categories"

    name: Mapped[str] = mapped_column(String(64), unique=True)
