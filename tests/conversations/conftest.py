"""These tests exercise the conversation machinery itself, so the AI stays silent here: no
bot reply moves a conversation while a test reads it (tests/ai covers the AI's replies)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from baton.ai.replier import reply
from baton.conversations.bot import set_bot_replier


@pytest.fixture(autouse=True)
def _ai_silent() -> Iterator[None]:
    set_bot_replier(None)
    yield
    set_bot_replier(reply)
