"""What every AI reply reads and admins change a few times a year: the auto-reply rules and
the provider fleet. Each process keeps them for a moment (``runtime.slot(SetupCache)``), as
it does the workspace settings: a change made in this process is seen at once (any flush
that writes a rule or a provider row drops the copy, and so does the end of its
transaction), a change made in another process within ``CACHE_SECONDS``.

The cached fleet members carry their breaker health: a reply's failures and successes
update it in this process at once (``Member.fail`` / ``succeed``) and are written to the
provider rows too (``fleet.record_health``, atomic across processes), and every reload
takes the rows' health, so another process's breaker is seen within ``CACHE_SECONDS``.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from sqlalchemy import event
from sqlalchemy.orm import Session

from baton.ai.autoreply import enabled_rules
from baton.ai.fleet import Member, load_members
from baton.ai.models import AIProvider, AutoReplyRule

if TYPE_CHECKING:
    from baton.kit.uow import UnitOfWork

CACHE_SECONDS = 2.0
T = TypeVar("T")
_WATCHED = (AIProvider, AutoReplyRule)
_WROTE = "ai_setup_written"


class _Generation:
    """Bumped whenever a rule or a provider row may have changed in this process."""

    value = 0


def changed() -> None:
    """Drop every process-local copy (a write outside the ORM, e.g. an admin's check that
    reset a breaker)."""
    _Generation.value += 1


@event.listens_for(Session, "before_flush")
def _note_writes(session: Session, flush_context: Any, instances: Any) -> None:
    touched = itertools.chain(session.new, session.dirty, session.deleted)
    if any(isinstance(row, _WATCHED) for row in touched):
        session.info[_WROTE] = True
        changed()


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget_after_write(session: Session) -> None:
    # again once the write is visible (or undone): a reader racing the commit may have
    # cached the old rows in between
    if session.info.pop(_WROTE, None):
        changed()


class _Copy(Generic[T]):
    """One cached value: reloaded when older than ``CACHE_SECONDS`` or when a write in this
    process bumped the generation (read before loading, so a write during the load makes
    the new copy stale at once)."""

    def __init__(self, load: Callable[[UnitOfWork], Awaitable[list[T]]]) -> None:
        self._load = load
        self._value: list[T] = []
        self._at = float("-inf")
        self._generation = -1

    async def get(self, uow: UnitOfWork) -> list[T]:
        if uow.session.info.get(_WROTE):  # this transaction's own writes, uncached
            return await self._load(uow)
        fresh = time.monotonic() - self._at < CACHE_SECONDS
        if not fresh or self._generation != _Generation.value:
            generation = _Generation.value
            self._value = await self._load(uow)
            self._at, self._generation = time.monotonic(), generation
        return list(self._value)


class SetupCache:
    def __init__(self) -> None:
        self._rules = _Copy(_load_rules)
        self._members = _Copy(load_members)

    async def rules(self, uow: UnitOfWork) -> list[AutoReplyRule]:
        """The enabled rules by priority (rows detached from any session: read them only)."""
        return await self._rules.get(uow)

    async def members(self, uow: UnitOfWork) -> list[Member]:
        """The fleet for one reply (``fleet.load_members``), shared by this process's replies
        until it is reloaded."""
        return await self._members.get(uow)


async def _load_rules(uow: UnitOfWork) -> list[AutoReplyRule]:
    found = await enabled_rules(uow.session)
    for row in found:  # out of the session, so its rollback cannot expire them
        uow.session.expunge(row)
    return found
