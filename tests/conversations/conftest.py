"""These tests exercise the conversation machinery itself, so the AI stays silent here: no
bot reply moves a conversation while a test reads it (tests/ai covers the AI's replies)."""

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
