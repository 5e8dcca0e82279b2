"""The opening-hours rules as pure functions: ``is_open(now)`` and ``next_open_at(now)``.

Intervals are wall-clock times in the schedule's timezone, so "09:00" stays 09:00 across
daylight-saving changes. A wall time that does not exist (the spring-forward gap) is read
with the offset before the change, and an interval that falls entirely in the gap is empty.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as wall_time
from zoneinfo import ZoneInfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY = 24 * 60
# how far ahead next_open_at looks (a long holiday list can close many days in a row)
HORIZON_DAYS = 400


@dataclass(frozen=True)
class Interval:
    start: int  # minutes after local midnight
    end: int  # minutes after local midnight, up to 1440 ("24:00")


@dataclass(frozen=True)
class Schedule:
    timezone: str = "UTC"
    weekly: dict[str, tuple[Interval, ...]] = field(default_factory=dict)
    holidays: dict[date, str] = field(default_factory=dict)
    override: str | None = None  # None (follow the schedule) | "open" | "closed"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def _local_instant(day: date, minutes: int, zone: ZoneInfo) -> datetime:
    base = datetime.combine(day, wall_time(0), tzinfo=zone)
    if minutes >= MINUTES_PER_DAY:
        base = datetime.combine(day + timedelta(days=1), wall_time(0), tzinfo=zone)
        minutes -= MINUTES_PER_DAY
    local = base.replace(hour=minutes // 60, minute=minutes % 60)
    return local.astimezone(UTC)


def intervals_on(schedule: Schedule, day: date) -> list[tuple[datetime, datetime]]:
    """The open spans of one local day as UTC instants (empty on holidays)."""
    if day in schedule.holidays:
        return []
    zone = schedule.zone
    spans = []
    for interval in sorted(schedule.weekly.get(DAYS[day.weekday()], ()), key=lambda i: i.start):
        start = _local_instant(day, interval.start, zone)
        end = _local_instant(day, interval.end, zone)
        if start < end:
            spans.append((start, end))
    return spans


def is_open(schedule: Schedule, now: datetime) -> bool:
    if schedule.override == "open":
        return True
    if schedule.override == "closed":
        return False
    local_day = now.astimezone(schedule.zone).date()
    # yesterday too: its "24:00" end is today's midnight, never later, but the check is cheap
    return any(
        start <= now < end
        for day in (local_day - timedelta(days=1), local_day)
        for start, end in intervals_on(schedule, day)
    )


def next_open_at(schedule: Schedule, now: datetime) -> datetime | None:
    """The next instant the team is open; None when open now or never (closed override,
    empty schedule)."""
    if schedule.override is not None or is_open(schedule, now):
        return None
    day = now.astimezone(schedule.zone).date()
    for offset in range(HORIZON_DAYS):
        for start, end in intervals_on(schedule, day + timedelta(days=offset)):
            if end > now:
                return max(start, now)
    return None


def preview(
    schedule: Schedule, now: datetime, days: int = 7
) -> list[tuple[date, str | None, list[tuple[datetime, datetime]]]]:
    """The next ``days`` local days: each day, its holiday name and its open spans (UTC)."""
    first = now.astimezone(schedule.zone).date()
    out = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        spans: list[tuple[datetime, datetime]]
        if schedule.override == "closed":
            spans = []
        elif schedule.override == "open":
            spans = [
                (_local_instant(day, 0, schedule.zone), _local_instant(day, 1440, schedule.zone))
            ]
        else:
            spans = intervals_on(schedule, day)
        out.append((day, schedule.holidays.get(day), spans))
    return out


def open_seconds(schedule: Schedule, start: datetime, end: datetime) -> float:
    """Seconds of [start, end) that fall inside the weekly schedule's open spans (holidays
    closed). The override is a switch for now, not history, so it does not count here:
    durations measured over past days follow the schedule and holidays only."""
    if end <= start:
        return 0.0
    if _always_open(schedule):
        return (end - start).total_seconds()
    zone = schedule.zone
    day = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date()
    total = 0.0
    while day <= last:
        for span_start, span_end in intervals_on(schedule, day):
            lo, hi = max(span_start, start), min(span_end, end)
            if lo < hi:
                total += (hi - lo).total_seconds()
        day += timedelta(days=1)
    return total


def _always_open(schedule: Schedule) -> bool:
    """Every day 00:00-24:00 and no holidays (the default): open time is wall time."""
    whole = (Interval(0, MINUTES_PER_DAY),)
    return not schedule.holidays and all(
        tuple(schedule.weekly.get(day, ())) == whole for day in DAYS
    )
