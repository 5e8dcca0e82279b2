"""AI replies survive a dead process: a lease per reply in flight, and a sweep that resumes.

A live reply (``ReplyScheduler``) first takes a lease on the visitor message it answers
(Redis ``SET NX`` with a TTL of ``BATON_AI_REPLY_LEASE_SECONDS``, renewed every third of it
while the answer streams) and marks the message done when it ends, whatever the outcome. A
process killed mid-stream stops renewing, and its lease expires.

Every api process runs :func:`resume_loop`: each half lease it looks for widget conversations
whose last message is a visitor's, older than one lease and younger than ``WINDOW``, with no
reply log for it, and whose message has neither a live lease nor a done mark; it schedules the
reply again, and the lease makes sure only one process does. The conversations are those the
live reply would have answered (``ai.listeners``):

- ``bot``: the AI's own;
- ``waiting`` (handed off, queued for a person) only while the workspace's ``ai_while_waiting``
  is on, and only for a question asked *after* the handoff (``last_message_at > waiting_since``):
  the message that asked for a person is not a question, and a question from before the
  handoff was the bot's, which the visitor chose a person over. The reply is then the waiting
  kind (``ai.replier``: no second offer of a person, the conversation stays queued).
  With the setting off a waiting conversation is a person's alone and is never resumed.

The reply re-checks that the AI may still answer (``ai.policy.ai_may_answer``: an agent may have
taken over, or the setting changed).

Without Redis there is one api process: its leases are in memory, and the sweep resumes
after a restart what the previous process left unanswered.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import and_, exists, or_, select

from baton.ai.models import AIReplyLog
from baton.conversations.models import Conversation, Message
from baton.db.base import utcnow
from baton.db.errors import unavailable_reason
from baton.workspace.service import get_config

if TYPE_CHECKING:
    from baton.runtime import Runtime

log = logging.getLogger(__name__)

WINDOW = timedelta(minutes=30)  # older unanswered questions are left to people
BATCH = 50


class ReplyLeases:
    """This process's view of the leases (``runtime.slot(ReplyLeases)``)."""

    def __init__(self) -> None:
        self.owner = uuid.uuid4().hex
        self.local: dict[uuid.UUID, tuple[str, float]] = {}  # without Redis: state, expiry

    @staticmethod
    def _key(runtime: Runtime, message_id: uuid.UUID) -> str:
        return f"{runtime.settings.redis_namespace}:ai-reply:{message_id}"

    @staticmethod
    def _lease_ms(runtime: Runtime) -> int:
        return int(runtime.settings.ai_reply_lease_seconds * 1000)

    async def take(self, runtime: Runtime, message_id: uuid.UUID) -> bool:
        """True when this process may answer ``message_id`` now (nobody holds or finished it)."""
        if runtime.redis is None:
            state = self.local.get(message_id)
            if state is not None and state[1] > time.monotonic():
                return False
            self.local[message_id] = ("lease", time.monotonic() + self._lease_ms(runtime) / 1000)
            return True
        try:
            taken = await runtime.redis.set(
                self._key(runtime, message_id), self.owner, nx=True, px=self._lease_ms(runtime)
            )
        except Exception:  # Redis away: answering beats the (rare) duplicate
            log.warning("AI reply lease unavailable; answering without one", exc_info=True)
            return True
        return bool(taken)

    async def renew(self, runtime: Runtime, message_id: uuid.UUID) -> None:
        if runtime.redis is None:
            self.local[message_id] = ("lease", time.monotonic() + self._lease_ms(runtime) / 1000)
            return
        with contextlib.suppress(Exception):
            await runtime.redis.set(
                self._key(runtime, message_id), self.owner, xx=True, px=self._lease_ms(runtime)
            )

    async def finish(self, runtime: Runtime, message_id: uuid.UUID) -> None:
        """Done (answered, declined or failed): the sweep leaves it alone from now on."""
        window_ms = int(WINDOW.total_seconds() * 1000) * 2
        if runtime.redis is None:
            self.local[message_id] = ("done", time.monotonic() + window_ms / 1000)
            return
        with contextlib.suppress(Exception):
            await runtime.redis.set(self._key(runtime, message_id), "done", px=window_ms)

    async def release(self, runtime: Runtime, message_id: uuid.UUID) -> None:
        """Let another process resume it at once (this one is shutting down)."""
        if runtime.redis is None:
            self.local.pop(message_id, None)
            return
        with contextlib.suppress(Exception):
            key = self._key(runtime, message_id)
            if await runtime.redis.get(key) in (self.owner, self.owner.encode()):
                await runtime.redis.delete(key)

    async def free(self, runtime: Runtime, message_ids: list[uuid.UUID]) -> list[uuid.UUID]:
        """The messages nobody holds a lease on and nobody finished."""
        if not message_ids:
            return []
        if runtime.redis is None:
            now = time.monotonic()
            return [m for m in message_ids if not (m in self.local and self.local[m][1] > now)]
        values = await runtime.redis.mget([self._key(runtime, m) for m in message_ids])
        return [m for m, v in zip(message_ids, values, strict=True) if v is None]

    @contextlib.asynccontextmanager
    async def held(self, runtime: Runtime, message_id: uuid.UUID) -> AsyncIterator[None]:
        """Renew the lease while the body runs; done afterwards, released if cancelled or if
        the database could not answer (the sweep then tries again)."""

        async def keep() -> None:
            while True:
                await asyncio.sleep(self._lease_ms(runtime) / 3000)
                await self.renew(runtime, message_id)

        renewing = asyncio.create_task(keep())
        try:
            yield
        except asyncio.CancelledError:
            await self.release(runtime, message_id)
            raise
        except Exception as exc:
            if unavailable_reason(exc) is not None:
                # the database went away (a restart): nothing was stored, so let the sweep
                # answer it once the database is back
                await self.release(runtime, message_id)
            else:
                await self.finish(runtime, message_id)  # a bug is not retried forever
            raise
        else:
            await self.finish(runtime, message_id)
        finally:
            renewing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewing


async def unanswered(runtime: Runtime) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """(conversation id, visitor message id) of widget questions the AI left unanswered."""
    now = utcnow()
    grace = timedelta(seconds=runtime.settings.ai_reply_lease_seconds)
    async with runtime.db.session() as session:
        ai_owns = Conversation.status == "bot"
        if (await get_config(session)).ai_while_waiting:
            # queued for a person, and the visitor wrote after the handoff (the queue's
            # system message follows the request itself; this does not rely on it)
            asked_while_waiting = and_(
                Conversation.status == "waiting",
                Conversation.last_message_at > Conversation.waiting_since,
            )
            ai_owns = or_(ai_owns, asked_while_waiting)
        conversations = (
            await session.scalars(
                select(Conversation.id)
                .where(
                    ai_owns,
                    Conversation.channel == "widget",
                    Conversation.last_message_sender == "visitor",
                    Conversation.last_message_at > now - WINDOW,
                    Conversation.last_message_at < now - grace,
                )
                .order_by(Conversation.last_message_at)
                .limit(BATCH)
            )
        ).all()
        found: list[tuple[uuid.UUID, uuid.UUID]] = []
        for conversation_id in conversations:
            last = (
                await session.execute(
                    select(Message.id, Message.sender)
                    .where(Message.conversation_id == conversation_id, Message.internal.is_(False))
                    .order_by(Message.created_at.desc(), Message.id.desc())
                    .limit(1)
                )
            ).first()
            if last is None or last.sender != "visitor":
                continue
            logged = await session.scalar(
                select(exists().where(AIReplyLog.question_message_id == last.id))
            )
            if not logged:
                found.append((conversation_id, last.id))
        return found


async def resume_unanswered(runtime: Runtime) -> int:
    """One sweep: schedule a reply for each unanswered question nobody is answering."""
    from baton.ai.replies import ReplyScheduler

    scheduler = runtime.slot(ReplyScheduler)
    if scheduler.replier is None:
        return 0
    candidates = await unanswered(runtime)
    free = set(await runtime.slot(ReplyLeases).free(runtime, [m for _, m in candidates]))
    resumed = 0
    for conversation_id, message_id in candidates:
        if message_id in free and conversation_id not in scheduler.tasks:
            log.warning(
                "resuming an unanswered visitor message",
                extra={"conversation_id": str(conversation_id), "message_id": str(message_id)},
            )
            scheduler.schedule(runtime, conversation_id, message_id)
            resumed += 1
    return resumed


async def resume_loop(runtime: Runtime) -> None:
    """Runs for the life of an api process (catalog.warm_ups)."""
    interval = max(0.5, runtime.settings.ai_reply_lease_seconds / 2)
    while True:
        await asyncio.sleep(interval)
        try:
            await resume_unanswered(runtime)
        except asyncio.CancelledError:
            raise
        except Exception:  # the database or Redis away: the next sweep tries again
            log.warning("AI reply sweep failed", exc_info=True)
