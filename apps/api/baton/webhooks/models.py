"""A subscription (URL, events, sealed signing secret) and its deliveries (the outbox)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from baton.db.base import Base, IdMixin, TimestampMixin, utcnow
from baton.kit.crypto import EncryptedJSON


class Webhook(IdMixin, TimestampMixin, Base):
    __tablename__ = "webhooks"

    url: Mapped[str] = mapped_column(String(2048))
    events: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    description: Mapped[str | None] = mapped_column(String(200), default=None)
    # AES-GCM envelope (kit/crypto) bound to the webhook id; shown once, at creation
    secret_sealed: Mapped[str] = mapped_column(Text)
    # deliveries that ended failed in a row; at the limit the webhook is switched off
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    disabled_reason: Mapped[str | None] = mapped_column(String(200), default=None)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )


class WebhookDelivery(IdMixin, Base):
    """One event for one webhook; its id is the ``X-Baton-Delivery`` of every attempt."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),)

    webhook_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhooks.id", ondelete="CASCADE"), index=True
    )
    event: Mapped[str] = mapped_column(String(64))
    # sealed at rest: a payload carries message texts and visitor details
    payload: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON("webhook_deliveries.payload"))
    status: Mapped[str] = mapped_column(
        String(16), default="queued"
    )  # queued|sending|delivered|failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(default=None)
    last_status_code: Mapped[int | None] = mapped_column(Integer, default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    last_response: Mapped[str | None] = mapped_column(Text, default=None)  # first 2 KB
    last_duration_ms: Mapped[int | None] = mapped_column(Integer, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(default=None)
