"""The unit of work: one session, one commit, and side effects released only after it.

Realtime events and jobs are buffered while a request or job runs and go out once the
transaction commits; a rolled-back unit of work emits nothing and enqueues nothing.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from baton.kit import events as domain_events
from baton.kit.events import DomainEvent, ListenerSpec

if TYPE_CHECKING:
    from baton.runtime import Runtime

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PendingEvent:
    event: str
    payload: Any
    rooms: tuple[str, ...]
    namespace: str
    skip_sid: str | None = None


@dataclass(frozen=True)
class PendingJob:
    name: str
    kwargs: dict[str, Any]
    defer_seconds: float | None = None


class UnitOfWork:
    """A plain class on purpose: Litestar would try to parse a dataclass as request data."""

    def __init__(self, session: AsyncSession, runtime: Runtime) -> None:
        self.session = session
        self.runtime = runtime
        self.events: list[PendingEvent] = []
        self.jobs: list[PendingJob] = []
        self.after_commit_hooks: list[Callable[[], Awaitable[None]]] = []
        # undo what the transaction cannot: e.g. a stored file whose row was never committed
        self.rollback_hooks: list[Callable[[], Awaitable[None]]] = []
        self.domain_events: list[DomainEvent] = []
        # values computed once per unit of work (queue order, online agents); see ``memo``
        self.memos: dict[object, Any] = {}
        self._kept: list[object] = []

    def keep(self, *objects: object) -> None:
        """Hold objects loaded ahead of need: the session's identity map is weak, and a later
        ``session.get`` for them should not go back to the database."""
        self._kept.extend(o for o in objects if o is not None)

    def publish(
        self,
        event: str,
        payload: Any,
        *,
        rooms: str | list[str] | tuple[str, ...],
        namespace: str,
        skip_sid: str | None = None,
    ) -> None:
        """Buffer a realtime event; it is emitted only if the unit of work commits."""
        room_tuple = (rooms,) if isinstance(rooms, str) else tuple(rooms)
        if room_tuple:
            self.events.append(PendingEvent(event, payload, room_tuple, namespace, skip_sid))

    def record(self, event: DomainEvent) -> None:
        """Record what happened; its listeners run only if the unit of work commits."""
        self.domain_events.append(event)

    async def memo(self, key: object, compute: Callable[[], Awaitable[Any]]) -> Any:
        """``compute()`` once per unit of work for ``key``; ``forget`` after a change."""
        if key not in self.memos:
            self.memos[key] = await compute()
        return self.memos[key]

    def forget(self, *keys: object) -> None:
        for key in keys:
            self.memos.pop(key, None)

    def forget_queue(self) -> None:
        """A status changed: every memo about the waiting queue is stale."""
        for key in [k for k in self.memos if isinstance(k, tuple) and k[:1] == ("queue",)]:
            del self.memos[key]

    def enqueue(self, name: str, *, defer_seconds: float | None = None, **kwargs: Any) -> None:
        """Buffer a background job; it is enqueued only if the unit of work commits."""
        self.jobs.append(PendingJob(name, kwargs, defer_seconds))

    def after_commit(self, hook: Callable[[], Awaitable[None]]) -> None:
        """Run ``hook`` once the transaction has committed (e.g. start a streamed AI reply)."""
        self.after_commit_hooks.append(hook)

    def on_rollback(self, hook: Callable[[], Awaitable[None]]) -> None:
        """Run ``hook`` if the unit of work rolls back or its commit fails (never after a
        commit): for side effects made outside the database before it commits."""
        self.rollback_hooks.append(hook)

    async def _run_rollback_hooks(self) -> None:
        hooks, self.rollback_hooks = self.rollback_hooks, []
        for hook in hooks:
            try:
                await hook()
            except Exception:
                log.exception("rollback hook failed")

    async def _prepare_domain_events(self) -> list[DomainEvent]:
        recorded = domain_events.coalesce(self.domain_events)
        self.domain_events = []
        prepared = []
        for event in recorded:
            preparer = domain_events.registry.preparers.get(type(event))
            prepared.append(await preparer(self, event) if preparer else event)
        if prepared:
            for writer in domain_events.registry.writers:
                await writer(self, prepared)
        return prepared

    async def commit(self) -> None:
        try:
            recorded = await self._prepare_domain_events()
            await self.session.commit()
        except BaseException:
            await self._run_rollback_hooks()
            raise
        self.rollback_hooks = []
        self.memos.clear()
        events, jobs, hooks = self.events, self.jobs, self.after_commit_hooks
        self.events, self.jobs, self.after_commit_hooks = [], [], []
        await dispatch(self.runtime, recorded)
        for ev in events:
            try:
                await self.runtime.publisher.emit(
                    ev.event,
                    ev.payload,
                    rooms=ev.rooms,
                    namespace=ev.namespace,
                    skip_sid=ev.skip_sid,
                )
            except Exception:  # events are hints; state is already committed
                log.exception("publish failed", extra={"event": ev.event})
        for job in jobs:
            await _enqueue(self.runtime, job.name, job.kwargs, defer_seconds=job.defer_seconds)
        for hook in hooks:
            try:
                await hook()
            except Exception:
                log.exception("after-commit hook failed")

    async def rollback(self) -> None:
        self.domain_events.clear()
        self.memos.clear()
        self.events.clear()
        self.jobs.clear()
        self.after_commit_hooks.clear()
        try:
            await self.session.rollback()
        finally:
            await self._run_rollback_hooks()


async def _enqueue(
    runtime: Runtime, name: str, kwargs: dict[str, Any], *, defer_seconds: float | None = None
) -> None:
    """The change is committed: a queue that cannot be reached (Redis away) must not turn it
    into an error for the caller, nor stop the listeners after it. What must not be lost
    goes through an outbox instead (email, webhooks), which a sweep resumes."""
    try:
        await runtime.jobs.enqueue(name, kwargs, defer_seconds=defer_seconds)
    except Exception:
        log.exception("enqueue after commit failed", extra={"job": name})


async def dispatch(runtime: Runtime, recorded: list[DomainEvent]) -> None:
    """After a commit: realtime listeners in this process, then job listeners via the queue.

    Plain (non-async) listeners are called first, for every event of the commit: they only
    start work or return emissions, and the work they start (the AI's reply to the 50th
    message of a batch) then starts at once instead of after ~150 socket emissions. Then, in
    the events' order, the async listeners run and every emission is published, in the same
    order as if each listener had run in turn. Last, the job-phase listeners are queued (each
    past its ``unless`` gate), in the same order."""
    plan: list[tuple[ListenerSpec, DomainEvent, Any]] = []
    for event in recorded:
        for spec in domain_events.registry.for_event(event):
            result: Any = None
            if spec.phase == "realtime" and not inspect.iscoroutinefunction(spec.fn):
                try:
                    result = spec.fn(runtime, event)
                except Exception:  # listeners are independent; state is already committed
                    log.exception("listener failed", extra={"listener": spec.name})
                    continue
            plan.append((spec, event, result))
    for spec, event, result in plan:
        if spec.phase == "job":
            continue
        try:
            if inspect.iscoroutinefunction(spec.fn):
                result = await spec.fn(runtime, event)
            elif inspect.isawaitable(result):
                result = await result
            for e in result or ():
                await runtime.publisher.emit(
                    e.event, e.payload, rooms=e.rooms, namespace=e.namespace
                )
        except Exception:
            log.exception("listener failed", extra={"listener": spec.name})
    # then the queue: nobody is waiting on a job, and a gate's lookup would delay emissions
    for spec, event, _ in plan:
        if spec.phase != "job":
            continue
        if spec.unless is not None and await _skips(runtime, spec, event):
            continue
        await _enqueue(runtime, "events.deliver", domain_events.to_job_kwargs(spec, event))


async def _skips(runtime: Runtime, spec: ListenerSpec, event: DomainEvent) -> bool:
    """A gate that cannot answer (Redis away) lets the job go: better a needless job than a
    lost notification."""
    assert spec.unless is not None
    try:
        return await spec.unless(runtime, event)
    except Exception:
        log.exception("listener gate failed", extra={"listener": spec.name})
        return False


@asynccontextmanager
async def unit_of_work(runtime: Runtime) -> AsyncIterator[UnitOfWork]:
    """Open a session; commit on success (then release side effects), roll back on error."""
    async with runtime.db.session() as session:
        uow = UnitOfWork(session=session, runtime=runtime)
        try:
            yield uow
        except BaseException:
            await uow.rollback()
            raise
        await uow.commit()
