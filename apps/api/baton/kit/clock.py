"""The wall clock, read in one place so tests move it forward instead of sleeping.

Expiry and breaker logic (provider cool-downs, session idle time, offers) compare stored
times with ``clock.now()`` (through ``baton.db.base.utcnow``). In production the offset is
always zero; a test that needs "30 s later" calls ``clock.advance(30)`` and ``reset()``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class Clock:
    def __init__(self) -> None:
        self.offset = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)

    def reset(self) -> None:
        self.offset = timedelta(0)


clock = Clock()
