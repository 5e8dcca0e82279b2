"""Attachments tests exercise uploads and messages: the AI stays silent (tests/ai covers it)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from baton.ai.replier import reply
from baton.ai.replies import ReplyScheduler


@pytest.fixture(autouse=True)
def _ai_silent(request: pytest.FixtureRequest) -> Iterator[None]:
    if "server" not in request.fixturenames:
        yield
        return
    scheduler = request.getfixturevalue("server").runtime.slot(ReplyScheduler)
    scheduler.replier = None
    yield
    scheduler.replier = reply
