"""Figures for a time range: rollups where they are final, raw facts for the rest.

A range is cut into pieces: whole UTC days inside it (daily rollups) and whole UTC hours
(hourly rollups) that end before the rollup watermark, then raw pieces - stored reporting
events before the derivation watermark, and facts derived live from the conversations for
the current stretch. Every piece yields an ``Agg``; they merge exactly.
"""

from __future__ import annotations

import bisect
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from baton.analytics import facts as F
from baton.analytics.aggregate import Agg
from baton.analytics.models import AnalyticsDaily, AnalyticsHourly, ReportingEvent
from baton.analytics.rollups import DAY, HOUR, MESSAGE_SENDERS, floor_hour, get_state
from baton.conversations.models import Conversation, Message

Everyone = None  # agent key of the workspace-wide rows
MAX_RANGES = 400  # rollup pieces read as one OR of ranges; more: one span, filtered here


@dataclass(frozen=True)
class Piece:
    source: str  # daily | hourly | stored | live
    start: datetime
    end: datetime
    bucket: int  # which output bucket it belongs to


def _ceil(t: datetime, step: timedelta) -> datetime:
    f = _floor(t, step)
    return f if f == t else f + step


def _floor(t: datetime, step: timedelta) -> datetime:
    t = t.astimezone(UTC)
    if step == DAY:
        return t.replace(hour=0, minute=0, second=0, microsecond=0)
    return floor_hour(t)


def plan(
    start: datetime,
    end: datetime,
    bucket: int,
    rolled_until: datetime | None,
    derived_until: datetime | None,
) -> list[Piece]:
    """Cut [start, end) into rollup and raw pieces."""
    pieces: list[Piece] = []
    raw: list[tuple[datetime, datetime]] = []
    ra = _ceil(start, HOUR)
    rb = min(_floor(end, HOUR), rolled_until) if rolled_until is not None else ra
    if ra < rb:
        if start < ra:
            raw.append((start, ra))
        da, db = _ceil(ra, DAY), _floor(rb, DAY)
        if da < db:
            pieces.append(Piece("daily", da, db, bucket))
            if ra < da:
                pieces.append(Piece("hourly", ra, da, bucket))
            if db < rb:
                pieces.append(Piece("hourly", db, rb, bucket))
        else:
            pieces.append(Piece("hourly", ra, rb, bucket))
        if rb < end:
            raw.append((rb, end))
    else:
        raw.append((start, end))
    for s, e in raw:
        cut = min(max(derived_until, s), e) if derived_until is not None else s
        if s < cut:
            pieces.append(Piece("stored", s, cut, bucket))
        if cut < e:
            pieces.append(Piece("live", cut, e, bucket))
    return pieces


@dataclass(frozen=True)
class Filter:
    """Narrow the figures to one channel, and/or to one agent's attributed facts (the
    conversations assigned to them, their first responses and resolutions, their messages)."""

    channel: str | None = None
    agent_id: uuid.UUID | None = None

    def keeps(self, fact: F.Fact) -> bool:
        if self.channel is not None and fact.channel != self.channel:
            return False
        return self.agent_id is None or fact.agent_id == self.agent_id


NO_FILTER = Filter()


@dataclass
class Figures:
    """Per bucket: the workspace figures and each agent's."""

    buckets: list[Agg]
    agents: dict[uuid.UUID, Agg]
    sources: dict[str, int]


async def figures(
    session: AsyncSession,
    windows: list[tuple[datetime, datetime]],
    *,
    with_agents: bool = False,
    where: Filter = NO_FILTER,
    raw: bool = False,
) -> Figures:
    """Aggregate each window (one output bucket each); ``raw``: from the facts alone, without
    the rollups (to check that they agree)."""
    state = await get_state(session)
    rolled = state.rolled_until if state is not None and not raw else None
    derived = state.derived_until if state is not None else None
    pieces = [p for i, (s, e) in enumerate(windows) for p in plan(s, e, i, rolled, derived)]
    out = Figures([Agg() for _ in windows], defaultdict(Agg), defaultdict(int))
    for p in pieces:
        out.sources[p.source] += 1
    daily = [p for p in pieces if p.source == "daily"]
    hourly = [p for p in pieces if p.source == "hourly"]
    await _from_rollups(session, AnalyticsDaily, daily, out, with_agents, where)
    await _from_rollups(session, AnalyticsHourly, hourly, out, with_agents, where)
    stored = [p for p in pieces if p.source == "stored"]
    live = [p for p in pieces if p.source == "live"]
    await _from_stored(session, stored, out, with_agents, where)
    await _from_live(session, live, out, with_agents, where)
    await _messages(session, stored + live, out, where)
    return out


def _span(pieces: Iterable[Piece]) -> tuple[datetime, datetime]:
    ps = list(pieces)
    return min(p.start for p in ps), max(p.end for p in ps)


class Pieces:
    """Non-overlapping pieces, found by time with a binary search."""

    def __init__(self, pieces: Iterable[Piece]) -> None:
        self.items = sorted(pieces, key=lambda p: p.start)
        self.starts = [p.start for p in self.items]

    def find(self, at: datetime) -> Piece | None:
        i = bisect.bisect_right(self.starts, at) - 1
        if i >= 0 and at < self.items[i].end:
            return self.items[i]
        return None


async def _from_rollups(
    session: AsyncSession,
    model: Any,
    pieces: list[Piece],
    out: Figures,
    with_agents: bool,
    where: Filter,
) -> None:
    if not pieces:
        return
    if len(pieces) <= MAX_RANGES:
        # only the rows of the pieces: a 90-day range in New York reads the few hourly rows
        # at its edges, not the 2,000 hours in between
        stmt = select(model).where(
            or_(*(and_(model.bucket_start >= p.start, model.bucket_start < p.end) for p in pieces))
        )
    else:
        lo, hi = _span(pieces)
        stmt = select(model).where(model.bucket_start >= lo, model.bucket_start < hi)
    if where.channel is not None:
        stmt = stmt.where(model.channel == where.channel)
    if where.agent_id is not None:
        # the agent's own rows are both the totals and the agent's line
        stmt = stmt.where(model.agent_id == where.agent_id)
    elif not with_agents:
        stmt = stmt.where(model.agent_id.is_(None))
    index = Pieces(pieces)
    for row in await session.scalars(stmt):
        p = index.find(row.bucket_start)
        if p is None:
            continue
        if where.agent_id is not None:
            out.buckets[p.bucket].add_row(row)
            if with_agents:
                out.agents[row.agent_id].add_row(row)
        elif row.agent_id is None:
            out.buckets[p.bucket].add_row(row)
        else:
            out.agents[row.agent_id].add_row(row)


def _add_facts(
    facts: Iterable[F.Fact],
    pieces: list[Piece],
    out: Figures,
    with_agents: bool,
    where: Filter = NO_FILTER,
) -> None:
    index = Pieces(pieces)
    for f in facts:
        if not where.keeps(f):
            continue
        p = index.find(f.at)
        if p is None:
            continue
        out.buckets[p.bucket].add_fact(f)
        if with_agents and f.agent_id is not None:
            out.agents[f.agent_id].add_fact(f)


async def _from_stored(
    session: AsyncSession, pieces: list[Piece], out: Figures, with_agents: bool, where: Filter
) -> None:
    if not pieces:
        return
    lo, hi = _span(pieces)
    rows = await session.execute(
        select(
            ReportingEvent.at,
            ReportingEvent.kind,
            ReportingEvent.conversation_id,
            ReportingEvent.agent_id,
            ReportingEvent.channel,
            ReportingEvent.value_seconds,
            ReportingEvent.value,
            ReportingEvent.reason,
            ReportingEvent.business_seconds,
        ).where(ReportingEvent.at >= lo, ReportingEvent.at < hi)
    )
    _add_facts((F.Fact(*r) for r in rows), pieces, out, with_agents, where)


async def _from_live(
    session: AsyncSession, pieces: list[Piece], out: Figures, with_agents: bool, where: Filter
) -> None:
    if not pieces:
        return
    lo, hi = _span(pieces)
    ids = await F.touched_conversations(session, lo, hi)
    facts = await F.load_facts(session, ids)
    _add_facts(F.in_window(facts, lo, hi), pieces, out, with_agents, where)


async def _messages(
    session: AsyncSession, pieces: list[Piece], out: Figures, where: Filter = NO_FILTER
) -> None:
    no_column = F.CHANNEL_COLUMN is None
    if where.channel is not None and no_column and where.channel != F.DEFAULT_CHANNEL:
        return  # every conversation came through the widget
    for p in pieces:
        stmt = (
            select(func.count())
            .select_from(Message)
            .where(
                Message.created_at >= p.start,
                Message.created_at < p.end,
                Message.internal.is_(False),
                Message.sender.in_(MESSAGE_SENDERS),
            )
        )
        if where.channel is not None and F.CHANNEL_COLUMN is not None:
            column: Any = F.CHANNEL_COLUMN
            stmt = stmt.join(Conversation, Conversation.id == Message.conversation_id).where(
                column == where.channel
            )
        if where.agent_id is not None:
            stmt = stmt.where(Message.sender == "agent", Message.author_id == where.agent_id)
        n = await session.scalar(stmt)
        out.buckets[p.bucket].messages += int(n or 0)


async def channels(session: AsyncSession) -> list[str]:
    """The channels with rolled-up activity, and the widget (always there)."""
    seen = set((await session.scalars(select(AnalyticsDaily.channel).distinct())).all())
    return sorted(seen | {F.DEFAULT_CHANNEL})
