"""Reporting events and hourly/daily rollups, kept current by an incremental job.

One run: find the conversations with new records since the last watermark, re-derive their
facts (rewriting ``reporting_events`` only where they changed), then recompute the rollups
of every UTC day whose facts or messages changed, with polars. Every step recomputes from
the source, so a run repeated over the same data writes the same rows (idempotent), and a
rebuild of a date range is the same code over a wider window.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import polars as pl
from sqlalchemy import Table, delete, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from baton.analytics import facts as F
from baton.analytics.aggregate import COUNT_FIELDS, SATISFIED_MIN_RATING, hist_json, quantize
from baton.analytics.models import AnalyticsDaily, AnalyticsHourly, AnalyticsState, ReportingEvent
from baton.conversations.models import Conversation, Message
from baton.db.base import utcnow
from baton.kit.ids import uuid7
from baton.kit.uow import UnitOfWork

log = logging.getLogger(__name__)

# records committed a little after their timestamp (a long transaction) are still picked up
MARGIN = timedelta(minutes=2)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
MESSAGE_SENDERS = ("visitor", "bot", "agent")
_LOCK_KEY = 0x42A7_0001


def floor_hour(t: datetime) -> datetime:
    return t.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def day_start(d: date) -> datetime:
    return datetime(d.year, d.month, d.day, tzinfo=UTC)


@dataclass
class RunResult:
    conversations: int = 0
    facts_changed: int = 0
    days: list[str] = field(default_factory=list)
    hourly_rows: int = 0
    daily_rows: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "conversations": self.conversations,
            "facts_changed": self.facts_changed,
            "days": len(self.days),
            "hourly_rows": self.hourly_rows,
            "daily_rows": self.daily_rows,
        }


class RollupLock:
    """This process's rollup lock (``runtime.slot(RollupLock)``)."""

    def __init__(self) -> None:
        self.lock = asyncio.Lock()


def process_lock(uow: UnitOfWork) -> asyncio.Lock:
    """One run at a time per process (jobs run concurrently in-process on the embedded
    default); across processes a transaction lock on PostgreSQL does the same (the worker's
    cron and a CLI rebuild may overlap; SQLite serialises writers anyway)."""
    return uow.runtime.slot(RollupLock).lock


async def _db_lock(session: AsyncSession) -> None:
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})


def _table(model: Any) -> Table:
    """Core inserts: one multi-row statement per thousand rows, not the ORM's bulk path."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


# -- facts -------------------------------------------------------------------------------
def _fact_row(f: F.Fact) -> dict[str, Any]:
    return {
        "id": uuid7(),
        "kind": f.kind,
        "conversation_id": f.conversation_id,
        "agent_id": f.agent_id,
        "channel": f.channel,
        "at": f.at,
        "value_seconds": f.value_seconds,
        "value": f.value,
        "reason": f.reason,
        "business_seconds": f.business_seconds,
    }


async def stored_facts(session: AsyncSession, ids: list[uuid.UUID]) -> list[F.Fact]:
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
        ).where(ReportingEvent.conversation_id.in_(ids))
    )
    return [F.Fact(*r) for r in rows]


async def rewrite_facts(
    session: AsyncSession, ids: list[uuid.UUID], result: RunResult
) -> set[date]:
    """Re-derive these conversations' facts; returns the UTC days whose facts changed."""
    dirty: set[date] = set()
    for i in range(0, len(ids), F.CHUNK):
        chunk = ids[i : i + F.CHUNK]
        old = set(await stored_facts(session, chunk))
        new = set(await F.load_facts(session, chunk))
        changed = old ^ new
        if not changed:
            continue
        result.facts_changed += len(changed)
        dirty.update(f.at.astimezone(UTC).date() for f in changed)
        gone = {f.conversation_id for f in changed}
        await session.execute(
            delete(ReportingEvent).where(ReportingEvent.conversation_id.in_(gone))
        )
        rows = [_fact_row(f) for f in sorted(new) if f.conversation_id in gone]
        if rows:
            await session.execute(insert(_table(ReportingEvent)), rows)
    return dirty


# -- rollups -----------------------------------------------------------------------------
def _hour_expr(session: AsyncSession) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        return func.date_trunc("hour", Message.created_at)
    return func.strftime("%Y-%m-%d %H:00:00", Message.created_at)


def _as_utc(value: Any) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


async def message_counts(
    session: AsyncSession, start: datetime, end: datetime
) -> list[tuple[datetime, str, str, uuid.UUID | None, int]]:
    """(hour, channel, sender, agent author, count) for conversation messages in a window."""
    hour = _hour_expr(session).label("hour")
    author = Message.author_id
    if F.CHANNEL_COLUMN is not None:
        channel: Any = F.CHANNEL_COLUMN
        base = select(hour, channel.label("channel"), Message.sender, author, func.count()).join(
            Conversation, Conversation.id == Message.conversation_id
        )
    else:
        channel = None
        base = select(hour, Message.sender, author, func.count())
    stmt = base.where(
        Message.created_at >= start,
        Message.created_at < end,
        Message.internal.is_(False),
        Message.sender.in_(MESSAGE_SENDERS),
    ).group_by(*(c for c in (hour, channel, Message.sender, author) if c is not None))
    out = []
    for row in await session.execute(stmt):
        if channel is None:
            h, sender, agent, n = row
            ch = F.DEFAULT_CHANNEL
        else:
            h, ch, sender, agent, n = row
        out.append((_as_utc(h), str(ch or F.DEFAULT_CHANNEL), sender, agent, int(n)))
    return out


Key = tuple[datetime, str, str | None]  # bucket, channel, agent (None: everyone)


def _empty() -> dict[str, Any]:
    row: dict[str, Any] = {name: 0 for name in COUNT_FIELDS}
    row.update(
        csat_sum=0.0,
        first_response_hist=Counter(),
        resolution_hist=Counter(),
        first_response_business_hist=Counter(),
        resolution_business_hist=Counter(),
    )
    return row


def aggregate_frame(events: pl.DataFrame, bucket: str) -> dict[Key, dict[str, Any]]:
    """Sum facts per (bucket, channel, agent) with polars; ``bucket`` is a column name."""
    out: dict[Key, dict[str, Any]] = {}
    if events.height == 0:
        return out
    everyone = events.with_columns(agent=pl.lit(None, dtype=pl.String))
    by_agent = events.filter(pl.col("agent_id").is_not_null()).with_columns(
        agent=pl.col("agent_id")
    )
    both = pl.concat([everyone, by_agent])
    kind = pl.col("kind")
    keys = [bucket, "channel", "agent"]
    counts = both.group_by(keys).agg(
        conversations=(kind == F.OPENED).sum(),
        handoffs=(kind == F.HANDED_OFF).sum(),
        assigned=(kind == F.ASSIGNED).sum(),
        reopened=(kind == F.REOPENED).sum(),
        resolved=(kind == F.RESOLVED).sum(),
        bot_resolved=((kind == F.RESOLVED) & (pl.col("value") == 1.0)).sum(),
        csat_responses=((kind == F.CSAT_GIVEN) & pl.col("value").is_not_null()).sum(),
        csat_satisfied=((kind == F.CSAT_GIVEN) & (pl.col("value") >= SATISFIED_MIN_RATING)).sum(),
        csat_sum=pl.when(kind == F.CSAT_GIVEN).then(pl.col("value")).otherwise(0.0).sum(),
    )
    for r in counts.iter_rows(named=True):
        row = out.setdefault((r[bucket], r["channel"], r["agent"]), _empty())
        for name in ("conversations", "handoffs", "assigned", "reopened", "resolved"):
            row[name] += int(r[name])
        row["bot_resolved"] += int(r["bot_resolved"])
        row["csat_responses"] += int(r["csat_responses"])
        row["csat_satisfied"] += int(r["csat_satisfied"])
        row["csat_sum"] += float(r["csat_sum"] or 0.0)
    hists = (
        both.filter(kind.is_in([F.FIRST_RESPONSE, F.RESOLVED]) & pl.col("q").is_not_null())
        .group_by([*keys, "kind", "q"])
        .agg(n=pl.len())
    )
    for r in hists.iter_rows(named=True):
        row = out.setdefault((r[bucket], r["channel"], r["agent"]), _empty())
        target = "first_response_hist" if r["kind"] == F.FIRST_RESPONSE else "resolution_hist"
        row[target][int(r["q"])] += int(r["n"])
    business = (
        both.filter(kind.is_in([F.FIRST_RESPONSE, F.RESOLVED]) & pl.col("bq").is_not_null())
        .group_by([*keys, "kind", "bq"])
        .agg(n=pl.len())
    )
    for r in business.iter_rows(named=True):
        row = out.setdefault((r[bucket], r["channel"], r["agent"]), _empty())
        target = (
            "first_response_business_hist"
            if r["kind"] == F.FIRST_RESPONSE
            else "resolution_business_hist"
        )
        row[target][int(r["bq"])] += int(r["n"])
    return out


async def _day_events(session: AsyncSession, start: datetime, end: datetime) -> pl.DataFrame:
    rows = (
        await session.execute(
            select(
                ReportingEvent.at,
                ReportingEvent.kind,
                ReportingEvent.agent_id,
                ReportingEvent.channel,
                ReportingEvent.value_seconds,
                ReportingEvent.value,
                ReportingEvent.business_seconds,
            ).where(ReportingEvent.at >= start, ReportingEvent.at < end)
        )
    ).all()
    return pl.DataFrame(
        {
            "hour": [floor_hour(r.at) for r in rows],
            "kind": [r.kind for r in rows],
            "agent_id": [str(r.agent_id) if r.agent_id else None for r in rows],
            "channel": [r.channel for r in rows],
            "q": [quantize(r.value_seconds) if r.value_seconds is not None else None for r in rows],
            "value": [r.value for r in rows],
            "bq": [
                quantize(r.business_seconds) if r.business_seconds is not None else None
                for r in rows
            ],
        },
        schema={
            "hour": pl.Datetime("us", "UTC"),
            "kind": pl.String,
            "agent_id": pl.String,
            "channel": pl.String,
            "q": pl.Int64,
            "value": pl.Float64,
            "bq": pl.Int64,
        },
    ).with_columns(day=pl.lit(start, dtype=pl.Datetime("us", "UTC")))


def _add_messages(
    rows: dict[Key, dict[str, Any]],
    counts: list[tuple[datetime, str, str, uuid.UUID | None, int]],
    bucket_of: Any,
) -> None:
    for hour, channel, sender, author, n in counts:
        b = bucket_of(hour)
        rows.setdefault((b, channel, None), _empty())["messages"] += n
        if sender == "agent" and author is not None:
            rows.setdefault((b, channel, str(author)), _empty())["messages"] += n


def _db_rows(rows: dict[Key, dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for (bucket, channel, agent), r in sorted(
        rows.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2] or "")
    ):
        out.append(
            {
                "id": uuid7(),
                "bucket_start": bucket,
                "channel": channel,
                "agent_id": uuid.UUID(agent) if agent else None,
                **{name: int(r[name]) for name in COUNT_FIELDS},
                "csat_sum": float(r["csat_sum"]),
                "first_response_hist": hist_json(r["first_response_hist"]),
                "resolution_hist": hist_json(r["resolution_hist"]),
                "first_response_business_hist": hist_json(r["first_response_business_hist"]),
                "resolution_business_hist": hist_json(r["resolution_business_hist"]),
            }
        )
    return out


async def rollup_day(session: AsyncSession, d: date, result: RunResult) -> None:
    """Recompute the 24 hourly rows and the daily row of one UTC day from the facts."""
    start = day_start(d)
    end = start + DAY
    events = await _day_events(session, start, end)
    counts = await message_counts(session, start, end)
    hourly = aggregate_frame(events, "hour")
    _add_messages(hourly, counts, lambda h: h)
    daily = aggregate_frame(events, "day")
    _add_messages(daily, counts, lambda _h: start)
    await session.execute(
        delete(AnalyticsHourly).where(
            AnalyticsHourly.bucket_start >= start, AnalyticsHourly.bucket_start < end
        )
    )
    await session.execute(delete(AnalyticsDaily).where(AnalyticsDaily.bucket_start == start))
    hourly_rows, daily_rows = _db_rows(hourly), _db_rows(daily)
    if hourly_rows:
        await session.execute(insert(_table(AnalyticsHourly)), hourly_rows)
    if daily_rows:
        await session.execute(insert(_table(AnalyticsDaily)), daily_rows)
    result.days.append(d.isoformat())
    result.hourly_rows += len(hourly_rows)
    result.daily_rows += len(daily_rows)


def _days(start: date, end: date) -> set[date]:
    """Every day from start to end, both included."""
    return {start + timedelta(days=i) for i in range((end - start).days + 1)}


async def _earliest(session: AsyncSession) -> datetime | None:
    values = [
        await session.scalar(select(func.min(Conversation.created_at))),
        await session.scalar(select(func.min(Message.created_at))),
    ]
    present = [_as_utc(v) for v in values if v is not None]
    return min(present) if present else None


async def get_state(session: AsyncSession) -> AnalyticsState | None:
    return await session.get(AnalyticsState, 1)


async def run_incremental(
    session: AsyncSession, *, lock: asyncio.Lock | None = None, now: datetime | None = None
) -> RunResult:
    """Bring facts and rollups up to date with everything recorded since the last run."""
    async with lock or contextlib.nullcontext():
        await _db_lock(session)
        now = now or utcnow()
        state = await get_state(session)
        if state is None:
            state = AnalyticsState(id=1)
            session.add(state)
        since = state.derived_until - MARGIN if state.derived_until is not None else None
        result = RunResult()
        ids = await F.touched_conversations(session, since, None)
        result.conversations = len(ids)
        dirty = await rewrite_facts(session, ids, result)
        first = since if since is not None else await _earliest(session)
        if first is not None:
            dirty |= _days(first.date(), now.date())
        for d in sorted(dirty):
            await rollup_day(session, d, result)
        state.derived_until = now - MARGIN
        state.rolled_until = floor_hour(now - MARGIN)
        state.updated_at = now
        await session.flush()
        return result


async def rebuild(
    session: AsyncSession, start: date, end: date, *, lock: asyncio.Lock | None = None
) -> RunResult:
    """Recompute facts and rollups for the UTC days ``start``..``end`` (both included), and
    any other day whose facts change because a conversation in the range changed."""
    if end < start:
        raise ValueError("the end day is before the start day")
    async with lock or contextlib.nullcontext():
        await _db_lock(session)
        result = RunResult()
        lo, hi = day_start(start), day_start(end) + DAY
        ids = await F.touched_conversations(session, lo, hi)
        # facts stored for the range whose conversation no longer has that activity
        ids = sorted(
            set(ids)
            | set(
                (
                    await session.scalars(
                        select(ReportingEvent.conversation_id)
                        .where(ReportingEvent.at >= lo, ReportingEvent.at < hi)
                        .distinct()
                    )
                ).all()
            )
        )
        result.conversations = len(ids)
        dirty = await rewrite_facts(session, ids, result) | _days(start, end)
        for d in sorted(dirty):
            await rollup_day(session, d, result)
        await session.flush()
        return result
