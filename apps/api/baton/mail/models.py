from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from baton.db.base import Base, IdMixin, utcnow
from baton.kit.crypto import EncryptedText


class OutboxEmail(IdMixin, Base):
    """One email: queued -> sending -> sent, or back to queued with a later ``next_attempt_at``
    after a failure, and failed once ``attempts`` reaches the limit (or skipped: no provider).

    The row is written in the same transaction as what caused it; the send uses the row's id
    as Resend's Idempotency-Key, so a retry after a crash never delivers twice."""

    __tablename__ = "email_outbox"
    __table_args__ = (Index("ix_email_outbox_status_next", "status", "next_attempt_at"),)

    kind: Mapped[str] = mapped_column(String(64))  # welcome | ticket_* | transcript
    to_address: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(EncryptedText("email_outbox.body_text"))
    body_html: Mapped[str | None] = mapped_column(
        EncryptedText("email_outbox.body_html"), default=None
    )
    # Message-ID, In-Reply-To, References, Reply-To... as sent
    headers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    reply_to: Mapped[str | None] = mapped_column(String(320), default=None)
    ticket_id: Mapped[uuid.UUID | None] = mapped_column(default=None, index=True)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(default=None)
    provider_id: Mapped[str | None] = mapped_column(String(128), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)

    @property
    def idempotency_key(self) -> str:
        return f"baton-email-{self.id}"
