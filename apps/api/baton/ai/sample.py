"""A provider's sample answer, streamed to the admin's "Test" button as Server-Sent Events.

``delta {text}`` for each piece as the provider sends it, then ``done`` with the check's
result (``CheckOut``: ok, error, timings, the whole reply, health), or ``error {error,
detail}`` when the test could not run (e.g. the provider's address is not allowed). The
result is recorded in the provider's health like any check.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import msgspec
from litestar.response import ServerSentEventMessage

from baton.ai import service
from baton.kit.errors import DomainError
from baton.runtime import Runtime


class SampleDelta(msgspec.Struct):
    text: str


def _message(event: str, body: object) -> ServerSentEventMessage:
    return ServerSentEventMessage(data=msgspec.json.encode(body).decode(), event=event, sep="\n")


async def sample_events(
    runtime: Runtime, provider_id: uuid.UUID
) -> AsyncIterator[ServerSentEventMessage]:
    pieces: asyncio.Queue[str | None] = asyncio.Queue()

    async def arrived(text: str) -> None:
        await pieces.put(text)

    async def run() -> msgspec.Struct:
        try:
            return await service.check_provider(runtime, provider_id, sample=arrived)
        finally:
            await pieces.put(None)

    task = asyncio.create_task(run())
    try:
        while (text := await pieces.get()) is not None:
            yield _message("delta", SampleDelta(text))
        try:
            result = await task
        except DomainError as exc:
            yield _message("error", exc.body())
            return
        yield _message("done", result)
    finally:
        if not task.done():  # the admin went away: stop asking the provider
            task.cancel()
