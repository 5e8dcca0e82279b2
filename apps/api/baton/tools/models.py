"""Integrations that serve tools, and the actions tool calls produce."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from baton.db.base import Base, IdMixin, TimestampMixin, utcnow


class ToolIntegration(IdMixin, TimestampMixin, Base):
    """Where tools come from: ``demo`` (the demo order backend, its orders in ``state``) or
    ``http`` (a real backend: a signed POST per call to ``url``, tools declared in ``tools``)."""

    __tablename__ = "tool_integrations"

    kind: Mapped[str] = mapped_column(String(16))  # demo | http
    name: Mapped[str] = mapped_column(String(80))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    url: Mapped[str | None] = mapped_column(String(2048), default=None)
    # AES-GCM envelope (kit/crypto) bound to the integration id; shown once, at creation
    secret_sealed: Mapped[str | None] = mapped_column(Text, default=None)
    timeout_seconds: Mapped[float] = mapped_column(Float, default=10.0)
    # http: [{name, description, parameters, policy}]
    tools: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # demo: {"orders": [...], "password_resets": [...]}
    state: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )


class ToolAction(IdMixin, Base):
    """One tool call of the AI in a conversation. ``auto`` tools are stored done or failed;
    ``approval`` tools start ``proposed`` and move once, by compare-and-set, to ``rejected``
    or ``approved`` (then ``done`` or ``failed`` after their single run)."""

    __tablename__ = "tool_actions"
    __table_args__ = (Index("ix_tool_actions_conversation", "conversation_id", "id"),)

    conversation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE")
    )
    tool: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(16))  # demo | http
    policy: Mapped[str] = mapped_column(String(16))  # auto | approval
    arguments: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # proposed | approved | rejected | done | failed
    status: Mapped[str] = mapped_column(String(16))
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    decided_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    decided_by_name: Mapped[str | None] = mapped_column(String(120), default=None)
    decided_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
