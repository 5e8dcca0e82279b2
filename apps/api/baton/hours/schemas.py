"""The business-hours document as the REST API reads and writes it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

import msgspec

Clock = Annotated[str, msgspec.Meta(pattern=r"^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$")]
DayIntervals = Annotated[list["IntervalIn"], msgspec.Meta(max_length=12)]


class IntervalIn(msgspec.Struct, forbid_unknown_fields=True):
    start: Clock
    end: Clock


class WeeklyIn(msgspec.Struct, forbid_unknown_fields=True):
    mon: DayIntervals = msgspec.field(default_factory=list)
    tue: DayIntervals = msgspec.field(default_factory=list)
    wed: DayIntervals = msgspec.field(default_factory=list)
    thu: DayIntervals = msgspec.field(default_factory=list)
    fri: DayIntervals = msgspec.field(default_factory=list)
    sat: DayIntervals = msgspec.field(default_factory=list)
    sun: DayIntervals = msgspec.field(default_factory=list)


class HolidayIn(msgspec.Struct, forbid_unknown_fields=True):
    date: date
    name: Annotated[str, msgspec.Meta(max_length=100)] = ""


class BusinessHoursIn(msgspec.Struct):
    """PUT body. Output-only fields of the GET (open_now, preview...) are ignored, so a
    read-modify-write round trip works."""

    timezone: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    weekly: WeeklyIn
    holidays: Annotated[list[HolidayIn], msgspec.Meta(max_length=400)] = msgspec.field(
        default_factory=list
    )
    override: Literal["open", "closed"] | None = None
    # a waiting visitor is offered the offline form after this long in the queue (null: never)
    wait_limit_seconds: Annotated[int, msgspec.Meta(ge=30, le=86400)] | None = None


class SpanOut(msgspec.Struct):
    start: datetime
    end: datetime


class PreviewDayOut(msgspec.Struct):
    date: date
    weekday: str
    holiday: str | None
    open: list[SpanOut]


class BusinessHoursOut(BusinessHoursIn):
    open_now: bool = False
    next_open_at: datetime | None = None
    preview: list[PreviewDayOut] = msgspec.field(default_factory=list)
