"""Shared browser fixtures: Debian's headless Chromium driven by Playwright against a live api.

``browser`` is one Chromium per test session; ``page`` is a fresh context (own storage) whose
``base_url`` is the live ``server``. Console errors and failed requests are collected on
``page.problems`` so a test can assert the app ran clean. Screenshots go to ``artifacts/``.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from baton.settings import PROJECT_ROOT
from tests.support import LiveServer

CHROMIUM = os.environ.get("BATON_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = PROJECT_ROOT / "artifacts"


def require_bundle(relative: str) -> Path:
    """Fail (not skip) when a front end was not built: scripts/test builds them first."""
    index = PROJECT_ROOT / relative / "index.html"
    if not index.is_file():
        pytest.fail(f"{index} is missing: build it first (`npm run build` in {relative}/..)")
    return index


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    if not os.path.exists(CHROMIUM):  # noqa: ASYNC240 (a single stat before launching)
        pytest.fail(f"Chromium not found at {CHROMIUM} (Debian: apt-get install chromium)")
    async with async_playwright() as pw:
        chromium = await pw.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        await chromium.close()


@pytest.fixture
async def page(browser: Any, server: LiveServer) -> AsyncIterator[Any]:
    context = await browser.new_context(
        base_url=server.base_url, viewport={"width": 1366, "height": 768}
    )
    context.set_default_timeout(10_000)
    page = await context.new_page()
    problems: list[str] = []
    page.on(
        "console",
        lambda m: problems.append(f"console.{m.type}: {m.text}") if m.type == "error" else None,
    )
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    page.problems = problems
    yield page
    await context.close()


def artifact(name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / name
