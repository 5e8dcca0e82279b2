"""Mergeable figures: counts add up, durations are histograms, so a range summed from
daily rows, hourly rows and raw facts gives exactly what the raw facts alone give."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from baton.analytics.facts import (
    ASSIGNED,
    CSAT_GIVEN,
    FIRST_RESPONSE,
    HANDED_OFF,
    OPENED,
    REOPENED,
    RESOLVED,
    Fact,
)

COUNT_FIELDS = (
    "conversations",
    "messages",
    "handoffs",
    "assigned",
    "bot_resolved",
    "resolved",
    "reopened",
    "csat_responses",
    "csat_satisfied",
)

# a rating counts as satisfied at 4 or 5 (of 1..5): the "percent satisfied" CSAT figure
SATISFIED_MIN_RATING = 4


def is_satisfied(rating: float | None) -> bool:
    return rating is not None and rating >= SATISFIED_MIN_RATING


def quantize(seconds: float) -> int:
    """Durations are reported in whole seconds below an hour and whole minutes above it."""
    s = max(0.0, seconds)
    return int(s) if s < 3600 else int(s // 60) * 60


def percentile(hist: Counter[int], p: float) -> float | None:
    """Linear interpolation between closest ranks (PostgreSQL's percentile_cont)."""
    n = sum(hist.values())
    if n == 0:
        return None
    pos = (n - 1) * p
    lo_rank, hi_rank = math.floor(pos), math.ceil(pos)
    lo = hi = None
    seen = 0
    for value in sorted(hist):
        seen += hist[value]
        if lo is None and seen > lo_rank:
            lo = value
        if seen > hi_rank:
            hi = value
            break
    assert lo is not None and hi is not None
    return round(lo + (hi - lo) * (pos - lo_rank), 3)


@dataclass
class Agg:
    conversations: int = 0
    messages: int = 0
    handoffs: int = 0
    assigned: int = 0
    bot_resolved: int = 0
    resolved: int = 0
    reopened: int = 0
    csat_responses: int = 0
    csat_satisfied: int = 0  # ratings of 4 or 5
    csat_sum: float = 0.0
    first_response: Counter[int] = field(default_factory=Counter)
    resolution: Counter[int] = field(default_factory=Counter)
    first_response_business: Counter[int] = field(default_factory=Counter)
    resolution_business: Counter[int] = field(default_factory=Counter)

    def add_fact(self, fact: Fact) -> None:
        kind = fact.kind
        if kind == OPENED:
            self.conversations += 1
        elif kind == HANDED_OFF:
            self.handoffs += 1
        elif kind == ASSIGNED:
            self.assigned += 1
        elif kind == REOPENED:
            self.reopened += 1
        elif kind == FIRST_RESPONSE and fact.value_seconds is not None:
            self.first_response[quantize(fact.value_seconds)] += 1
            if fact.business_seconds is not None:
                self.first_response_business[quantize(fact.business_seconds)] += 1
        elif kind == RESOLVED:
            self.resolved += 1
            if fact.value:
                self.bot_resolved += 1
            if fact.value_seconds is not None:
                self.resolution[quantize(fact.value_seconds)] += 1
            if fact.business_seconds is not None:
                self.resolution_business[quantize(fact.business_seconds)] += 1
        elif kind == CSAT_GIVEN and fact.value is not None:
            self.csat_responses += 1
            self.csat_sum += fact.value
            if is_satisfied(fact.value):
                self.csat_satisfied += 1

    def add_row(self, row: Any) -> None:
        """Add a rollup row (AnalyticsHourly / AnalyticsDaily, or a Row with those fields)."""
        for name in COUNT_FIELDS:
            setattr(self, name, getattr(self, name) + int(getattr(row, name) or 0))
        self.csat_sum += float(row.csat_sum or 0)
        self.first_response.update({int(k): int(v) for k, v in row.first_response_hist.items()})
        self.resolution.update({int(k): int(v) for k, v in row.resolution_hist.items()})
        for target, hist in (
            (self.first_response_business, row.first_response_business_hist),
            (self.resolution_business, row.resolution_business_hist),
        ):
            target.update({int(k): int(v) for k, v in (hist or {}).items()})

    def merge(self, other: Agg) -> None:
        for name in COUNT_FIELDS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.csat_sum += other.csat_sum
        self.first_response.update(other.first_response)
        self.resolution.update(other.resolution)
        self.first_response_business.update(other.first_response_business)
        self.resolution_business.update(other.resolution_business)

    @property
    def csat_average(self) -> float | None:
        return round(self.csat_sum / self.csat_responses, 3) if self.csat_responses else None

    @property
    def csat_satisfied_rate(self) -> float | None:
        """Share of ratings that are 4 or 5 (null without ratings)."""
        return ratio(self.csat_satisfied, self.csat_responses)


def ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def hist_json(hist: Counter[int]) -> dict[str, int]:
    return {str(k): v for k, v in sorted(hist.items()) if v}
