"""The AI's replies running in this process: one at a time per conversation, in order.

A reply to a widget message runs as a task in the api process that received it (low
latency: no job-queue hop) and never holds a database transaction while it streams.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from baton.ai.resume import ReplyLeases

if TYPE_CHECKING:
    from baton.runtime import Runtime

log = logging.getLogger(__name__)

Replier = Callable[["Runtime", uuid.UUID, uuid.UUID], Awaitable[None]]


class ReplyScheduler:
    """Held by the runtime (``runtime.slot(ReplyScheduler)``). ``replier`` is the AI's reply
    function; tests may swap it for a scripted one, or set it to None for no AI."""

    def __init__(self) -> None:
        from baton.ai.replier import reply

        self.replier: Replier | None = reply
        self.tasks: dict[uuid.UUID, asyncio.Task[None]] = {}

    async def settled(self, conversation_id: uuid.UUID) -> None:
        """Wait until the replies scheduled so far for this conversation are done (without
        cancelling them, whatever happens to the caller)."""
        running = self.tasks.get(conversation_id)
        if running is not None and not running.done():
            await asyncio.wait({running})

    def schedule(self, runtime: Runtime, conversation_id: uuid.UUID, message_id: uuid.UUID) -> None:
        replier = self.replier
        if replier is None:
            return
        previous = self.tasks.get(conversation_id)

        async def run() -> None:
            if previous is not None and not previous.done():
                with contextlib.suppress(Exception):
                    await previous  # keep answers in order when a visitor sends several quickly
            leases = runtime.slot(ReplyLeases)
            try:
                if not await leases.take(runtime, message_id):
                    return  # another process answers it (or already did)
                async with leases.held(runtime, message_id):
                    await replier(runtime, conversation_id, message_id)
            except Exception:
                log.exception("AI reply failed", extra={"conversation_id": str(conversation_id)})

        task = asyncio.create_task(run())
        self.tasks[conversation_id] = task
        task.add_done_callback(
            lambda t: (
                self.tasks.pop(conversation_id, None)
                if self.tasks.get(conversation_id) is t
                else None
            )
        )
