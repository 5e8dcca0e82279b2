"""Reporting events (facts derived from conversations) and their hourly/daily rollups."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from baton.db.base import Base, IdMixin


class ReportingEvent(IdMixin, Base):
    """One fact about a conversation at a point in time (Chatwoot's reporting_events).

    Derived, never edited by hand: ``analytics.derive`` rewrites a conversation's events
    from ``conversation_events`` and ``messages`` whenever it is (re)processed.
    """

    __tablename__ = "reporting_events"
    __table_args__ = (Index("ix_reporting_events_at_kind", "at", "kind"),)

    # conversation_opened | handed_off | assigned | first_response | resolved_by_bot |
    # resolved_by_human | reopened | csat_given
    kind: Mapped[str] = mapped_column(String(32))
    conversation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    agent_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    channel: Mapped[str] = mapped_column(String(16), default="widget")
    at: Mapped[datetime]
    value_seconds: Mapped[float | None] = mapped_column(Float, default=None)
    value: Mapped[float | None] = mapped_column(Float, default=None)  # e.g. a CSAT rating
    reason: Mapped[str | None] = mapped_column(String(64), default=None)
    # a duration counted over the business hours' open time only (first_response, resolved)
    business_seconds: Mapped[float | None] = mapped_column(Float, default=None)


class _RollupColumns:
    """Additive figures for one bucket, channel and agent (agent_id NULL: everyone).

    Durations are kept as histograms ``{seconds: count}`` (whole seconds below an hour,
    whole minutes above) so percentiles merge exactly across buckets.
    """

    bucket_start: Mapped[datetime]
    channel: Mapped[str] = mapped_column(String(16))
    agent_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    conversations: Mapped[int] = mapped_column(Integer, default=0)
    messages: Mapped[int] = mapped_column(Integer, default=0)
    handoffs: Mapped[int] = mapped_column(Integer, default=0)
    assigned: Mapped[int] = mapped_column(Integer, default=0)
    bot_resolved: Mapped[int] = mapped_column(Integer, default=0)
    resolved: Mapped[int] = mapped_column(Integer, default=0)
    reopened: Mapped[int] = mapped_column(Integer, default=0)
    first_response_hist: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    resolution_hist: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # the same durations counted over business hours only (NULL in rows rolled up before
    # they existed: `baton analytics rebuild` fills them)
    first_response_business_hist: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=dict)
    resolution_business_hist: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=dict)
    csat_responses: Mapped[int] = mapped_column(Integer, default=0)
    csat_satisfied: Mapped[int] = mapped_column(Integer, default=0)  # ratings of 4 or 5
    csat_sum: Mapped[float] = mapped_column(Float, default=0.0)


class AnalyticsHourly(IdMixin, _RollupColumns, Base):
    __tablename__ = "analytics_hourly"
    __table_args__ = (Index("ix_analytics_hourly_bucket", "bucket_start", "agent_id"),)


class AnalyticsDaily(IdMixin, _RollupColumns, Base):
    """Whole UTC days (a day in another timezone is summed from hourly rows)."""

    __tablename__ = "analytics_daily"
    __table_args__ = (Index("ix_analytics_daily_bucket", "bucket_start", "agent_id"),)


class AnalyticsState(Base):
    """Watermarks of the incremental job (one row, id 1).

    ``derived_until``: reporting events are complete for facts before this instant.
    ``rolled_until``: hourly/daily rollups are final for buckets ending at or before it.
    """

    __tablename__ = "analytics_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    derived_until: Mapped[datetime | None] = mapped_column(default=None)
    rolled_until: Mapped[datetime | None] = mapped_column(default=None)
    updated_at: Mapped[datetime | None] = mapped_column(default=None)
