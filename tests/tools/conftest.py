from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.ai.fakes import FakeLLM
from tests.tools.endpoint import ToolEndpoint


@pytest.fixture
async def fake() -> AsyncIterator[FakeLLM]:
    server = await FakeLLM(key="sk-tools-key-000111").start()
    yield server
    await server.stop()


@pytest.fixture
async def endpoint() -> AsyncIterator[ToolEndpoint]:
    server = await ToolEndpoint().start()
    yield server
    await server.stop()
