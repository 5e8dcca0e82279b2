"""A server process freezes what start-up left and collects its young generation less often;
0 keeps Python's defaults. Run in a child interpreter: the collector's state is process-wide."""

from __future__ import annotations

import subprocess
import sys

import pytest

PROBE = """
import gc, sys
from baton.kit.gc_tuning import tune_gc
tune_gc(int(sys.argv[1]))
print(gc.get_freeze_count(), *gc.get_threshold())
"""


@pytest.mark.parametrize(("gen0", "frozen"), [(20_000, True), (0, False)])
def test_tune_gc(gen0: int, frozen: bool) -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(gen0)], capture_output=True, text=True, check=True
    ).stdout.split()
    count, threshold0 = int(out[0]), int(out[1])
    assert (count > 1000) is frozen
    assert threshold0 == (gen0 if frozen else 700)
