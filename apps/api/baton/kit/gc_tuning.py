"""Garbage collection for a long-running server process.

By the end of start-up the process holds what it keeps for its whole life (modules, the
ORM's mappers, compiled statements, caches); each collection of the oldest generation walked
all of it again, a pause of milliseconds that S1 showed as its p99 (docs/performance.md).
Freezing them moves them out of the collector's view, and a larger first-generation threshold
makes the young collections rarer: with 500 conversations at 100 msg/s, S1's realistic p99
went from 16.6 to 7.1 ms. ``BATON_GC_GEN0_THRESHOLD=0`` keeps Python's defaults.
"""

from __future__ import annotations

import gc
import logging

log = logging.getLogger(__name__)


def tune_gc(gen0_threshold: int) -> None:
    if gen0_threshold <= 0:
        return
    gc.collect()  # what start-up left as garbage is freed, not frozen
    gc.freeze()
    _, gen1, gen2 = gc.get_threshold()
    gc.set_threshold(gen0_threshold, gen1, gen2)
    log.debug("gc tuned", extra={"frozen": gc.get_freeze_count(), "gen0": gen0_threshold})
