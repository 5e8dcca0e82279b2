"""Domain events: what happened, recorded on the unit of work and dispatched after it commits.

A domain records a typed event (``uow.record(MessageCreated(...))``); whoever reacts to it
(sockets, the AI, webhooks, analytics, email) registers a listener in its own domain:

- ``phase="realtime"`` runs in the process that committed, right after the commit. It may
  return emissions (anything with ``event, payload, rooms, namespace``), which the unit of
  work publishes; it may also start in-process work (the AI's streamed reply).
- ``phase="job"`` runs through the job queue (``events.deliver``): in the arq worker with
  Redis, in-process on the embedded default. Use it for work that must survive the process
  that committed (email, webhooks, rollups). ``unless`` is an async check run in the
  committing process before anything is queued (e.g. the person to notify is reading the
  thread): a lookup there is cheaper than a job that finds nothing to do.

Nothing runs for a unit of work that rolls back. Events whose ``coalesce_key`` matches are
merged within one unit of work (two ``ConversationChanged`` for one conversation in one commit
become one ``conversation_updated``).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, Protocol, TypeVar

log = logging.getLogger(__name__)

Phase = Literal["realtime", "job"]


class Emission(Protocol):
    @property
    def event(self) -> str: ...
    @property
    def payload(self) -> Any: ...
    @property
    def rooms(self) -> tuple[str, ...]: ...
    @property
    def namespace(self) -> str: ...


@dataclass(frozen=True)
class DomainEvent:
    """Base of every domain event. Fields must be plain values (ids, strings, numbers,
    msgspec structs), so a job-phase listener can receive the event through the queue."""

    name: ClassVar[str] = "event"

    def coalesce_key(self) -> object | None:
        """Events with the same non-None key in one unit of work are merged."""
        return None

    def merge(self, later: DomainEvent) -> DomainEvent:
        """Combine with a later event of the same key (default: keep the later one)."""
        return later


E = TypeVar("E", bound=DomainEvent)
Emissions = Iterable[Emission] | None
Listener = Callable[[Any, Any], Awaitable[Emissions] | Emissions]
Preparer = Callable[[Any, Any], Awaitable[Any]]
Writer = Callable[[Any, list[Any]], Awaitable[None]]


@dataclass(frozen=True)
class ListenerSpec:
    event_type: type[DomainEvent]
    fn: Listener
    phase: Phase
    name: str
    when: Callable[[Any], bool] | None = None
    unless: Callable[[Any, Any], Awaitable[bool]] | None = None  # (runtime, event); job phase


@dataclass
class EventRegistry:
    """Listeners per event type, filled by ``@listen`` when the domains' listeners import."""

    listeners: dict[type[DomainEvent], list[ListenerSpec]] = field(default_factory=dict)
    preparers: dict[type[DomainEvent], Preparer] = field(default_factory=dict)
    # outbox writers: run inside the unit of work with all its prepared events, so what they
    # write (webhook deliveries) commits with the change or not at all
    writers: list[Writer] = field(default_factory=list)
    by_name: dict[str, ListenerSpec] = field(default_factory=dict)
    event_types: dict[str, type[DomainEvent]] = field(default_factory=dict)

    def add(self, spec: ListenerSpec) -> None:
        existing = self.by_name.get(spec.name)
        if existing is not None:
            if existing.fn is spec.fn:
                return
            raise ValueError(f"listener {spec.name!r} registered twice")
        self.listeners.setdefault(spec.event_type, []).append(spec)
        self.by_name[spec.name] = spec
        self.event_types[spec.event_type.name] = spec.event_type

    def for_event(self, event: DomainEvent) -> list[ListenerSpec]:
        specs = self.listeners.get(type(event), ())
        return [s for s in specs if s.when is None or s.when(event)]


registry = EventRegistry()


def listen(
    event_type: type[E],
    *,
    phase: Phase = "realtime",
    name: str | None = None,
    when: Callable[[E], bool] | None = None,
    unless: Callable[[Any, E], Awaitable[bool]] | None = None,
) -> Callable[[Listener], Listener]:
    """Register ``fn(runtime, event)`` for ``event_type``; ``when`` filters cheaply before
    anything is scheduled (a job-phase listener that does not apply enqueues nothing);
    ``unless(runtime, event)`` (job phase) may look something up first, and True skips it."""
    if unless is not None and phase != "job":
        raise ValueError("unless= gates a job-phase listener (a realtime one can just return)")

    def decorate(fn: Listener) -> Listener:
        registry.add(
            ListenerSpec(
                event_type,
                fn,
                phase,
                name or f"{fn.__module__}.{fn.__qualname__}",
                when,  # type: ignore[arg-type]
                unless,  # type: ignore[arg-type]
            )
        )
        return fn

    return decorate


def prepare(event_type: type[E]) -> Callable[[Preparer], Preparer]:
    """Register ``fn(uow, event) -> event`` run inside the unit of work just before it commits
    (e.g. build the read model a listener will send, once per coalesced event)."""

    def decorate(fn: Preparer) -> Preparer:
        registry.preparers[event_type] = fn
        return fn

    return decorate


def write_before_commit(fn: Writer) -> Writer:
    """Register ``fn(uow, events)``: called inside every unit of work that recorded events,
    just before it commits (an outbox row written there is as durable as the change)."""
    if fn not in registry.writers:
        registry.writers.append(fn)
    return fn


def coalesce(events: list[DomainEvent]) -> list[DomainEvent]:
    """Merge events with the same key; the merged event takes the place of the last one
    (so what it reports comes after everything it summarises)."""
    keyed: dict[object, int] = {}
    out: list[DomainEvent | None] = []
    for ev in events:
        key = ev.coalesce_key()
        if key is None:
            out.append(ev)
            continue
        if key in keyed:
            index = keyed[key]
            earlier = out[index]
            assert earlier is not None
            out[index] = None
            ev = earlier.merge(ev)
        keyed[key] = len(out)
        out.append(ev)
    return [e for e in out if e is not None]


def to_job_kwargs(spec: ListenerSpec, event: DomainEvent) -> dict[str, Any]:
    import msgspec

    return {"listener": spec.name, "event": type(event).name, "data": msgspec.to_builtins(event)}


def from_job_kwargs(event: str, data: dict[str, Any]) -> DomainEvent:
    import msgspec

    event_type = registry.event_types[event]
    return msgspec.convert(data, event_type)
