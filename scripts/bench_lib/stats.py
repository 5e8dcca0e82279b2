"""Medians, spreads and percentiles for the report."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any


def percentile(sorted_values: Sequence[float], p: float) -> float | None:
    if not sorted_values:
        return None
    k = (len(sorted_values) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


def summarize(values: Sequence[float | None]) -> dict[str, Any]:
    """Median of the runs and their spread (min, max); None when no run produced a value."""
    present = [float(v) for v in values if v is not None]
    if not present:
        return {"median": None, "min": None, "max": None, "runs": list(values)}
    return {
        "median": statistics.median(present),
        "min": min(present),
        "max": max(present),
        "runs": [None if v is None else round(float(v), 3) for v in values],
    }
