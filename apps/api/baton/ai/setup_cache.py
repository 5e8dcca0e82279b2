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
from typing import TYPE_CHECKING, Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from baton.ai.autoreply import enabled_rules
from baton.ai.models import AIProvider, AutoReplyRule

if TYPE_CHECKING:
    from baton.ai.fleet import Member
    from baton.kit.uow import UnitOfWork

CACHE_SECONDS = 2.0
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


class _Entry:
    __slots__ = ("at", "generation", "value")

    def __init__(self, value: Any) -> None:
        self.value = value
        self.at = time.monotonic()
        self.generation = _Generation.value

    def fresh(self) -> bool:
        return self.generation == _Generation.value and time.monotonic() - self.at < CACHE_SECONDS


class SetupCache:
    def __init__(self) -> None:
        self._rules: _Entry | None = None
        self._members: _Entry | None = None

    async def rules(self, uow: UnitOfWork) -> list[AutoReplyRule]:
        """The enabled rules by priority (rows detached from any session: read them only)."""
        if uow.session.info.get(_WROTE):  # this transaction's own writes, uncached
            return await _load_rules(uow)
        entry = self._rules
        if entry is None or not entry.fresh():
            generation = _Generation.value
            entry = _Entry(await _load_rules(uow))
            entry.generation = generation  # a write during the read makes it stale at once
            self._rules = entry
        return list(entry.value)

    async def members(self, uow: UnitOfWork) -> list[Member]:
        """The fleet for one reply (``fleet.load_members``), shared by this process's replies
        until it is reloaded."""
        from baton.ai.fleet import load_members

        if uow.session.info.get(_WROTE):
            return await load_members(uow)
        entry = self._members
        if entry is None or not entry.fresh():
            generation = _Generation.value
            entry = _Entry(await load_members(uow))
            entry.generation = generation
            self._members = entry
        return list(entry.value)


async def _load_rules(uow: UnitOfWork) -> list[AutoReplyRule]:
    found = await enabled_rules(uow.session)
    for row in found:  # out of the session, so its rollback cannot expire them
        uow.session.expunge(row)
    return found
