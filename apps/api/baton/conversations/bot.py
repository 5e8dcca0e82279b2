"""The seam between conversations and the AI: after a visitor's message commits, the
registered replier streams an answer. It runs as a task in the api process that received the
message (low latency; no job queue hop) and never holds a database transaction while it streams.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from baton.runtime import Runtime

log = logging.getLogger(__name__)

BotReplier = Callable[["Runtime", uuid.UUID, uuid.UUID], Awaitable[None]]
_replier: BotReplier | None = None


def set_bot_replier(replier: BotReplier | None) -> None:
    global _replier
    _replier = replier


def has_bot_replier() -> bool:
    return _replier is not None


def schedule_bot_reply(runtime: Runtime, conversation_id: uuid.UUID, message_id: uuid.UUID) -> None:
    """Start the AI's reply to ``message_id``; one reply at a time per conversation."""
    if _replier is None:
        return
    replier = _replier
    tasks: dict[uuid.UUID, asyncio.Task[None]] = runtime.state.setdefault("bot_tasks", {})
    previous = tasks.get(conversation_id)

    async def run() -> None:
        if previous is not None and not previous.done():
            with contextlib.suppress(Exception):
                await previous  # keep answers in order when a visitor sends several quickly
        try:
            await replier(runtime, conversation_id, message_id)
        except Exception:
            log.exception("bot reply failed", extra={"conversation_id": str(conversation_id)})

    task = asyncio.create_task(run())
    tasks[conversation_id] = task
    task.add_done_callback(
        lambda t: tasks.pop(conversation_id, None) if tasks.get(conversation_id) is t else None
    )
