"""is_open / next_open_at: weekly intervals, holidays and overrides in several timezones and
across daylight-saving changes (pure functions, no server)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from baton.hours.schedule import Interval, Schedule, is_open, next_open_at, preview


def hm(text: str) -> int:
    h, m = text.split(":")
    return int(h) * 60 + int(m)


def weekdays(start: str, end: str, days: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri")):  # type: ignore[no-untyped-def]
    return {d: (Interval(hm(start), hm(end)),) for d in days}


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc,arg-type]


BERLIN = Schedule("Europe/Berlin", weekdays("09:00", "17:30"))
NEW_YORK = Schedule("America/New_York", weekdays("09:00", "17:00"))


def test_weekday_hours_in_berlin_winter_and_summer() -> None:
    # Wed 2026-01-14: CET (UTC+1). 09:00 local = 08:00 UTC
    assert not is_open(BERLIN, utc(2026, 1, 14, 7, 59))
    assert is_open(BERLIN, utc(2026, 1, 14, 8, 0))
    assert is_open(BERLIN, utc(2026, 1, 14, 16, 29))
    assert not is_open(BERLIN, utc(2026, 1, 14, 16, 30))
    # Wed 2026-07-15: CEST (UTC+2). 09:00 local = 07:00 UTC
    assert is_open(BERLIN, utc(2026, 7, 15, 7, 0))
    assert not is_open(BERLIN, utc(2026, 7, 15, 15, 30))


def test_next_open_after_the_weekend_and_none_while_open() -> None:
    saturday = utc(2026, 1, 17, 12, 0)
    assert not is_open(BERLIN, saturday)
    assert next_open_at(BERLIN, saturday) == utc(2026, 1, 19, 8, 0)  # Monday 09:00 CET
    assert next_open_at(BERLIN, utc(2026, 1, 14, 9, 0)) is None
    # before opening on the same day
    assert next_open_at(BERLIN, utc(2026, 1, 14, 6, 0)) == utc(2026, 1, 14, 8, 0)


def test_next_open_across_the_spring_forward_change() -> None:
    # New York moves to EDT on Sun 2026-03-08: Friday's 09:00 is 14:00 UTC, Monday's 13:00 UTC
    friday_evening = utc(2026, 3, 6, 23, 0)
    assert next_open_at(NEW_YORK, friday_evening) == utc(2026, 3, 9, 13, 0)
    assert is_open(NEW_YORK, utc(2026, 3, 6, 14, 0))
    assert not is_open(NEW_YORK, utc(2026, 3, 9, 12, 30))
    assert is_open(NEW_YORK, utc(2026, 3, 9, 13, 0))


def test_berlin_fall_back_and_an_interval_inside_the_gap() -> None:
    # Europe goes back to CET on Sun 2026-10-25 (03:00 CEST -> 02:00 CET)
    sunday = Schedule("Europe/Berlin", {"sun": (Interval(hm("01:00"), hm("04:00")),)})
    # 01:00 CEST = 23:00 UTC Saturday; 04:00 CET = 03:00 UTC: four real hours open
    assert next_open_at(sunday, utc(2026, 10, 24, 12, 0)) == utc(2026, 10, 24, 23, 0)
    assert is_open(sunday, utc(2026, 10, 25, 0, 30))  # 02:30 CEST
    assert is_open(sunday, utc(2026, 10, 25, 1, 30))  # 02:30 CET, the repeated hour
    assert not is_open(sunday, utc(2026, 10, 25, 3, 0))
    # spring: 02:00-03:00 does not exist on Sun 2026-03-29, so that day never opens
    gap = Schedule("Europe/Berlin", {"sun": (Interval(hm("02:00"), hm("03:00")),)})
    assert next_open_at(gap, utc(2026, 3, 28, 12, 0)) == utc(2026, 4, 5, 0, 0)  # next Sunday, CEST


def test_holidays_close_a_day_in_the_schedules_timezone() -> None:
    tokyo = Schedule(
        "Asia/Tokyo",
        weekdays("09:00", "18:00"),
        holidays={date(2026, 1, 1): "New year", date(2026, 1, 2): "Bank holiday"},
    )
    # Thu 2026-01-01 10:00 JST = 01:00 UTC
    assert not is_open(tokyo, utc(2026, 1, 1, 1, 0))
    # Mon 2026-01-05 09:00 JST = 00:00 UTC (the weekend and two holidays skipped)
    assert next_open_at(tokyo, utc(2026, 1, 1, 1, 0)) == utc(2026, 1, 5, 0, 0)
    # the UTC date is Dec 31 but it is already Jan 1 in Tokyo
    assert not is_open(tokyo, utc(2025, 12, 31, 23, 0))
    days = preview(tokyo, utc(2025, 12, 31, 23, 0))
    assert [d[0] for d in days][:2] == [date(2026, 1, 1), date(2026, 1, 2)]
    assert days[0][1] == "New year" and days[0][2] == []
    assert len(days) == 7 and days[4][2] == [(utc(2026, 1, 5, 0, 0), utc(2026, 1, 5, 9, 0))]


@pytest.mark.parametrize(("override", "expected"), [("open", True), ("closed", False)])
def test_override_beats_schedule_and_holidays(override: str, expected: bool) -> None:
    sched = Schedule(
        "Europe/Berlin",
        weekdays("09:00", "17:00"),
        holidays={date(2026, 1, 14): "Closed"},
        override=override,
    )
    for moment in (utc(2026, 1, 14, 10, 0), utc(2026, 1, 17, 3, 0), utc(2026, 1, 15, 10, 0)):
        assert is_open(sched, moment) is expected
        assert next_open_at(sched, moment) is None


def test_midnight_to_midnight_and_an_empty_schedule() -> None:
    always = Schedule("Pacific/Auckland", {d: (Interval(0, 1440),) for d in ("mon", "tue")})
    assert is_open(always, utc(2026, 1, 12, 11, 0))  # Tue 00:00 NZDT
    assert next_open_at(Schedule("UTC", {}), utc(2026, 1, 12, 0, 0)) is None
