"""The widget build's size check: it reports gzipped sizes and fails above the budgets."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from baton.settings import PROJECT_ROOT

BUDGET = PROJECT_ROOT / "apps" / "widget" / "scripts" / "budget.mjs"
NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="Node.js is needed to build the widget")


def check(dist: Path) -> subprocess.CompletedProcess[str]:
    assert NODE is not None
    return subprocess.run(
        [NODE, str(BUDGET), str(dist)], capture_output=True, text=True, timeout=60, check=False
    )


def make_dist(root: Path, loader_bytes: bytes, app_bytes: bytes) -> Path:
    (root / "assets").mkdir(parents=True)
    (root / "loader.js").write_bytes(loader_bytes)
    (root / "frame.html").write_text("<!doctype html><title>Chat</title>")
    (root / "assets" / "frame-abc.js").write_bytes(app_bytes)
    return root


def test_small_bundle_passes_and_reports_sizes(tmp_path: Path) -> None:
    result = check(make_dist(tmp_path, b"console.log(1);" * 50, b"export {};" * 1000))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "loader.js" in result.stdout and "assets/frame-abc.js" in result.stdout
    assert "budget 5.00 KB" in result.stdout and "budget 60.00 KB" in result.stdout


def test_loader_over_5kb_gzipped_fails(tmp_path: Path) -> None:
    result = check(make_dist(tmp_path, os.urandom(6 * 1024), b"export {};"))
    assert result.returncode == 1
    assert "FAILED" in result.stderr and "loader" in result.stderr


def test_whole_widget_over_60kb_gzipped_fails(tmp_path: Path) -> None:
    result = check(make_dist(tmp_path, b"console.log(1);", os.urandom(61 * 1024)))
    assert result.returncode == 1
    assert "total" in result.stderr


def test_missing_loader_fails(tmp_path: Path) -> None:
    dist = make_dist(tmp_path, b"x", b"y")
    (dist / "loader.js").unlink()
    result = check(dist)
    assert result.returncode == 1 and "loader.js is missing" in result.stderr


def test_the_built_widget_is_within_budget() -> None:
    dist = PROJECT_ROOT / "apps" / "widget" / "dist"
    if not (dist / "loader.js").is_file():
        pytest.skip("the widget is not built (npm run build in apps/widget)")
    result = check(dist)
    assert result.returncode == 0, result.stdout + result.stderr
