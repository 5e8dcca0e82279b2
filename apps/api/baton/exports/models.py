"""Export files produced by a worker job and downloaded through a signed, expiring link."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Float, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from baton.db.base import Base, IdMixin, utcnow


class Export(IdMixin, Base):
    __tablename__ = "exports"
    __table_args__ = (Index("ix_exports_owner", "owner_kind", "owner_id", "id"),)

    owner_kind: Mapped[str] = mapped_column(String(16))  # user | api_key
    owner_id: Mapped[uuid.UUID]
    kind: Mapped[str] = mapped_column(String(16))  # conversations | messages | analytics
    format: Mapped[str] = mapped_column(String(8))  # csv | json | ndjson | xlsx
    status: Mapped[str] = mapped_column(String(16), default="queued")
    range_from: Mapped[datetime | None] = mapped_column(default=None)
    range_to: Mapped[datetime | None] = mapped_column(default=None)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    rows: Mapped[int] = mapped_column(Integer, default=0)
    total_rows: Mapped[int | None] = mapped_column(Integer, default=None)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    file_name: Mapped[str | None] = mapped_column(String(200), default=None)
    size_bytes: Mapped[int | None] = mapped_column(BigInteger, default=None)
    error: Mapped[str | None] = mapped_column(String(300), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    expires_at: Mapped[datetime | None] = mapped_column(default=None, index=True)
