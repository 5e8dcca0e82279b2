from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.ai.fakes import FakeLLM


@pytest.fixture
async def fake() -> AsyncIterator[FakeLLM]:
    server = await FakeLLM(key="sk-copilot-key-000111").start()
    yield server
    await server.stop()


@pytest.fixture
async def backup() -> AsyncIterator[FakeLLM]:
    server = await FakeLLM(key="sk-copilot-key-222333").start()
    yield server
    await server.stop()
