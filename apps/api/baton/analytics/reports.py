"""The dashboard's figures: overview, trends and the agent leaderboard, for a date range in
a timezone. Input checks live here so REST and exports share them."""

from __future__ import annotations

import itertools
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from baton.analytics.aggregate import Agg, percentile, ratio
from baton.analytics.query import NO_FILTER, Filter, figures
from baton.db.base import utcnow
from baton.kit.errors import ValidationFailed
from baton.users.models import User

METRICS = (
    "conversations",
    "messages",
    "handoffs",
    "first_response_seconds_p50",
    "csat_average",
    "csat_satisfied_rate",
)
INTERVALS = ("hour", "day")
DEFAULT_DAYS = 30
MAX_DAYS = 1100  # about three years
MIN_YEAR, MAX_YEAR = 1970, 9000
MAX_POINTS = {"hour": 24 * 31, "day": 400}
CHANNEL = re.compile(r"^[a-z0-9_-]{1,16}$")


@dataclass(frozen=True)
class Range:
    start: datetime  # UTC, inclusive
    end: datetime  # UTC, exclusive
    tz: ZoneInfo

    @property
    def tz_name(self) -> str:
        return self.tz.key


def parse_tz(raw: str | None) -> ZoneInfo:
    name = (raw or "UTC").strip()
    try:
        if not name or len(name) > 64 or name.startswith(("/", ".")) or ".." in name:
            raise ValueError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValidationFailed(
            f"unknown timezone {raw!r}; use an IANA name such as Europe/Paris",
            code="invalid_timezone",
        ) from None


def local_midnight(d: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(d, time(0), tzinfo=tz).astimezone(UTC)


def _bound(raw: str, tz: ZoneInfo, *, end: bool, name: str) -> datetime:
    value = raw.strip()
    try:
        if len(value) == 10:
            d = date.fromisoformat(value)
            result = local_midnight(d + timedelta(days=1) if end else d, tz)
        else:
            t = datetime.fromisoformat(value.replace("Z", "+00:00"))
            result = (t.replace(tzinfo=tz) if t.tzinfo is None else t).astimezone(UTC)
        if not MIN_YEAR <= result.year <= MAX_YEAR:
            raise ValueError(value)
    except (ValueError, OverflowError):
        raise ValidationFailed(
            f"{name} must be an ISO date (2026-11-30) or date-time between {MIN_YEAR} and "
            f"{MAX_YEAR}, not {raw!r}",
            code="invalid_range",
        ) from None
    return result


def parse_range(
    start: str | None, end: str | None, tz_name: str | None, *, max_days: int = MAX_DAYS
) -> Range:
    """``from``/``to`` are local dates (both included) or date-times (``to`` excluded) in
    ``tz``; without them, the last 30 local days including today."""
    tz = parse_tz(tz_name)
    today = utcnow().astimezone(tz).date()
    hi = (
        _bound(end, tz, end=True, name="to")
        if end
        else local_midnight(today + timedelta(days=1), tz)
    )
    if start:
        lo = _bound(start, tz, end=False, name="from")
    else:
        lo = local_midnight(hi.astimezone(tz).date() - timedelta(days=DEFAULT_DAYS - 1), tz)
        if lo >= hi:
            lo = hi - timedelta(days=DEFAULT_DAYS)
    if lo >= hi:
        raise ValidationFailed("from must be before to", code="invalid_range")
    if hi - lo > timedelta(days=max_days):
        raise ValidationFailed(f"the range is limited to {max_days} days", code="range_too_long")
    return Range(lo, hi, tz)


def parse_filter(channel: str | None, agent_id: str | None) -> Filter:
    """``channel`` (a channel name such as ``widget``) and ``agent_id`` (a user id)."""
    ch = channel.strip() if channel else None
    if ch is not None and not CHANNEL.match(ch):
        raise ValidationFailed(
            "channel must be a channel name such as widget", code="invalid_channel"
        )
    agent: uuid.UUID | None = None
    if agent_id:
        try:
            agent = uuid.UUID(agent_id.strip())
        except ValueError:
            raise ValidationFailed("agent_id must be a user id", code="invalid_agent") from None
    return Filter(channel=ch or None, agent_id=agent)


def _overview(agg: Agg, where: Filter = NO_FILTER) -> dict[str, Any]:
    if where.agent_id is not None:
        # one agent's figures: the conversations assigned to them; containment and the
        # handoff rate are workspace figures and have no per-agent meaning
        return {
            **_overview(agg),
            "conversations": agg.assigned,
            "ai_containment_rate": None,
            "handoff_rate": None,
        }
    return {
        "conversations": agg.conversations,
        "messages": agg.messages,
        "bot_resolved": agg.bot_resolved,
        "handed_off": agg.handoffs,
        "resolved": agg.resolved,
        "reopened": agg.reopened,
        "ai_containment_rate": ratio(agg.bot_resolved, agg.resolved),
        "handoff_rate": ratio(agg.handoffs, agg.conversations),
        "first_response_seconds_p50": percentile(agg.first_response, 0.5),
        "first_response_seconds_p90": percentile(agg.first_response, 0.9),
        "resolution_seconds_p50": percentile(agg.resolution, 0.5),
        "first_response_business_seconds_p50": percentile(agg.first_response_business, 0.5),
        "first_response_business_seconds_p90": percentile(agg.first_response_business, 0.9),
        "resolution_business_seconds_p50": percentile(agg.resolution_business, 0.5),
        "csat_average": agg.csat_average,
        "csat_responses": agg.csat_responses,
        "csat_satisfied": agg.csat_satisfied,
        "csat_satisfied_rate": agg.csat_satisfied_rate,
    }


async def overview(
    session: AsyncSession, r: Range, where: Filter = NO_FILTER, *, raw: bool = False
) -> dict[str, Any]:
    fig = await figures(session, [(r.start, r.end)], where=where, raw=raw)
    return _overview(fig.buckets[0], where)


def buckets(r: Range, interval: str) -> list[tuple[datetime, datetime]]:
    """Local hours or days covering the range (the first and last clipped to it)."""
    if interval not in INTERVALS:
        raise ValidationFailed("interval must be hour or day", code="invalid_interval")
    edges: list[datetime] = []
    if interval == "day":
        d = r.start.astimezone(r.tz).date()
        while True:
            edge = local_midnight(d, r.tz)
            edges.append(max(edge, r.start))
            if edge >= r.end:
                break
            d += timedelta(days=1)
    else:
        local = r.start.astimezone(r.tz)
        edge = local.replace(minute=0, second=0, microsecond=0).astimezone(UTC)
        while True:
            edges.append(max(edge, r.start))
            if edge >= r.end:
                break
            edge += timedelta(hours=1)
    edges[-1] = r.end
    out = [(a, b) for a, b in itertools.pairwise(edges) if a < b]
    if len(out) > MAX_POINTS[interval]:
        raise ValidationFailed(
            f"at most {MAX_POINTS[interval]} {interval} points; narrow the range",
            code="range_too_long",
        )
    return out


def metric_value(agg: Agg, metric: str, where: Filter = NO_FILTER) -> float | int | None:
    if metric == "conversations":
        return agg.assigned if where.agent_id is not None else agg.conversations
    if metric == "messages":
        return agg.messages
    if metric == "handoffs":
        return agg.handoffs
    if metric == "first_response_seconds_p50":
        return percentile(agg.first_response, 0.5)
    if metric == "csat_satisfied_rate":
        return agg.csat_satisfied_rate
    return agg.csat_average


async def trends(
    session: AsyncSession, r: Range, metric: str, interval: str, where: Filter = NO_FILTER
) -> list[dict[str, Any]]:
    if metric not in METRICS:
        raise ValidationFailed(f"metric must be one of {', '.join(METRICS)}", code="invalid_metric")
    windows = buckets(r, interval)
    fig = await figures(session, windows, where=where)
    return [
        {"at": start.astimezone(r.tz).isoformat(), "value": metric_value(agg, metric, where)}
        for (start, _), agg in zip(windows, fig.buckets, strict=True)
    ]


async def daily_table(session: AsyncSession, r: Range) -> list[dict[str, Any]]:
    """One overview row per local day (the ``analytics`` export)."""
    windows = buckets(r, "day")
    fig = await figures(session, windows)
    return [
        {"day": start.astimezone(r.tz).date().isoformat(), **_overview(agg)}
        for (start, _), agg in zip(windows, fig.buckets, strict=True)
    ]


async def agents(
    session: AsyncSession, r: Range, where: Filter = NO_FILTER
) -> list[dict[str, Any]]:
    fig = await figures(session, [(r.start, r.end)], with_agents=True, where=where)
    ids = list(fig.agents)
    names: dict[uuid.UUID, str] = {}
    if ids:
        names = {
            row.id: row.name
            for row in await session.execute(select(User.id, User.name).where(User.id.in_(ids)))
        }
    items: list[dict[str, Any]] = [
        {
            "agent_id": str(agent_id),
            "name": names.get(agent_id),
            "conversations": agg.assigned,
            "first_responses": sum(agg.first_response.values()),
            "first_response_seconds_p50": percentile(agg.first_response, 0.5),
            "resolved": agg.resolved,
            "resolution_seconds_p50": percentile(agg.resolution, 0.5),
            "first_response_business_seconds_p50": percentile(agg.first_response_business, 0.5),
            "resolution_business_seconds_p50": percentile(agg.resolution_business, 0.5),
            "csat_average": agg.csat_average,
            "csat_responses": agg.csat_responses,
            "csat_satisfied_rate": agg.csat_satisfied_rate,
        }
        for agent_id, agg in fig.agents.items()
        if agent_id in names  # a deleted user's figures stay in the workspace totals only
    ]
    items.sort(key=lambda i: (-int(i["conversations"]), str(i["name"] or ""), str(i["agent_id"])))
    return items
