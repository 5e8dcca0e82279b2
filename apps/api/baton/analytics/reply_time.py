"""How fast the team usually answers a visitor who asks for a person: the widget's
"typically replies in …" line (Intercom shows the same expectation).

The median first human response (measured from the handoff, as the dashboard does) over the
last two weeks; none with fewer than a handful of answers, so a new workspace promises
nothing. Every visitor's page load reads it, so each process keeps it for five minutes.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from baton.analytics.facts import FIRST_RESPONSE
from baton.analytics.models import ReportingEvent
from baton.db.base import utcnow
from baton.kit.uow import UnitOfWork

WINDOW = timedelta(days=14)
MIN_ANSWERS = 5
SAMPLE = 2000  # the most recent answers are enough for a median
CACHE_SECONDS = 300.0


@dataclass
class TypicalReplyCache:
    seconds: float | None = None
    read_at: float = float("-inf")


async def typical_reply_seconds(uow: UnitOfWork) -> float | None:
    cache = uow.runtime.slot(TypicalReplyCache)
    now = time.monotonic()
    if now - cache.read_at < CACHE_SECONDS:
        return cache.seconds
    rows = await uow.session.scalars(
        select(ReportingEvent.value_seconds)
        .where(
            ReportingEvent.kind == FIRST_RESPONSE,
            ReportingEvent.at >= utcnow() - WINDOW,
            ReportingEvent.value_seconds.is_not(None),
        )
        .order_by(ReportingEvent.at.desc())
        .limit(SAMPLE)
    )
    values = [float(v) for v in rows if v is not None]
    cache.seconds = round(statistics.median(values), 1) if len(values) >= MIN_ANSWERS else None
    cache.read_at = now
    return cache.seconds
