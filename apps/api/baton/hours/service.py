"""Business hours stored as one workspace setting (``business_hours``); services never
commit. The default is "always open": a fresh install answers around the clock."""

from __future__ import annotations

import functools
import itertools
import zoneinfo
from datetime import datetime
from typing import Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from baton.db.base import utcnow
from baton.hours import schedule as rules
from baton.hours.schemas import BusinessHoursIn, BusinessHoursOut, PreviewDayOut, SpanOut
from baton.kit.errors import ValidationFailed
from baton.workspace.models import WorkspaceSetting

KEY = "business_hours"
DEFAULT: dict[str, Any] = {
    "timezone": "UTC",
    "weekly": {day: [{"start": "00:00", "end": "24:00"}] for day in rules.DAYS},
    "holidays": [],
    "override": None,
    "wait_limit_seconds": None,
}


@functools.cache
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones()) | {"UTC"}


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def validate(data: BusinessHoursIn) -> None:
    if data.timezone not in _zones():
        raise ValidationFailed(
            f"unknown timezone {data.timezone!r}: use an IANA name such as Europe/Berlin",
            code="invalid_timezone",
        )
    for day in rules.DAYS:
        spans = sorted(
            ((_minutes(i.start), _minutes(i.end)) for i in getattr(data.weekly, day)),
        )
        for start, end in spans:
            if end <= start:
                raise ValidationFailed(
                    f"{day}: an interval must end after it starts", code="invalid_interval"
                )
        for (_, prev_end), (start, _) in itertools.pairwise(spans):
            if start < prev_end:
                raise ValidationFailed(f"{day}: intervals overlap", code="overlapping_intervals")
    dates = [h.date for h in data.holidays]
    if len(dates) != len(set(dates)):
        raise ValidationFailed("a date is listed twice in holidays", code="duplicate_holiday")


def to_schedule(data: BusinessHoursIn) -> rules.Schedule:
    return rules.Schedule(
        timezone=data.timezone,
        weekly={
            day: tuple(
                rules.Interval(_minutes(i.start), _minutes(i.end))
                for i in getattr(data.weekly, day)
            )
            for day in rules.DAYS
        },
        holidays={h.date: h.name for h in data.holidays},
        override=data.override,
    )


async def load(session: AsyncSession) -> BusinessHoursIn:
    row = await session.get(WorkspaceSetting, KEY)
    value = row.value if row is not None else DEFAULT
    return msgspec.convert(value, BusinessHoursIn)


async def current_schedule(session: AsyncSession) -> rules.Schedule:
    return to_schedule(await load(session))


async def save(session: AsyncSession, data: BusinessHoursIn) -> BusinessHoursIn:
    validate(data)
    value = msgspec.to_builtins(
        BusinessHoursIn(
            timezone=data.timezone,
            weekly=data.weekly,
            holidays=sorted(data.holidays, key=lambda h: h.date),
            override=data.override,
            wait_limit_seconds=data.wait_limit_seconds,
        )
    )
    row = await session.get(WorkspaceSetting, KEY)
    if row is None:
        session.add(WorkspaceSetting(key=KEY, value=value))
    else:
        row.value = value
    await session.flush()
    return msgspec.convert(value, BusinessHoursIn)


def describe(data: BusinessHoursIn, now: datetime | None = None) -> BusinessHoursOut:
    now = now or utcnow()
    sched = to_schedule(data)
    days = [
        PreviewDayOut(day, rules.DAYS[day.weekday()], holiday, [SpanOut(a, b) for a, b in spans])
        for day, holiday, spans in rules.preview(sched, now)
    ]
    return BusinessHoursOut(
        timezone=data.timezone,
        weekly=data.weekly,
        holidays=data.holidays,
        override=data.override,
        wait_limit_seconds=data.wait_limit_seconds,
        open_now=rules.is_open(sched, now),
        next_open_at=rules.next_open_at(sched, now),
        preview=days,
    )
