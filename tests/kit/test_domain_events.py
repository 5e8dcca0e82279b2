"""Domain events: listeners run only after a commit, in order, with coalescing; a rolled-back
unit of work runs none of them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from typing import Any, ClassVar

import pytest

from baton.kit import events
from baton.kit.events import DomainEvent, coalesce, listen, prepare
from baton.kit.uow import dispatch, unit_of_work
from baton.realtime.emission import Emission
from baton.runtime import Runtime
from tests.factories import user_headers
from tests.realtime.clients import RecordingClient
from tests.support import LiveServer


@dataclass(frozen=True)
class Pinged(DomainEvent):
    name: ClassVar[str] = "tests.pinged"
    label: str
    count: int = 1
    prepared: bool = False

    def coalesce_key(self) -> object:
        return ("pinged", self.label) if self.label.startswith("merge") else None

    def merge(self, later: DomainEvent) -> DomainEvent:
        assert isinstance(later, Pinged)
        return replace(later, count=self.count + later.count)


seen: list[Pinged] = []


@prepare(Pinged)
async def _mark(uow: Any, event: Pinged) -> Pinged:
    return replace(event, prepared=True)


@listen(Pinged, name="tests.pinged.sockets")
def _emit(runtime: Any, event: Pinged) -> list[Emission]:
    seen.append(event)
    return [Emission("probe", {"label": event.label, "count": event.count}, ("agents",), "/agent")]


def test_coalesce_merges_by_key_into_the_last_place() -> None:
    a, b, c = Pinged("merge-1"), Pinged("plain"), Pinged("merge-1")
    merged = [e for e in coalesce([a, b, c]) if isinstance(e, Pinged)]
    assert [(e.label, e.count) for e in merged] == [("plain", 1), ("merge-1", 2)]


def test_event_round_trips_through_job_kwargs() -> None:
    event = Pinged("x", 3)
    spec = events.registry.by_name["tests.pinged.sockets"]
    kwargs = events.to_job_kwargs(spec, event)
    assert kwargs["event"] == "tests.pinged" and kwargs["listener"] == spec.name
    assert events.from_job_kwargs(kwargs["event"], kwargs["data"]) == event


async def test_listeners_run_after_commit_and_never_after_rollback(
    server: LiveServer, client: Any, runtime: Runtime
) -> None:
    _, headers = await user_headers(client, runtime)
    listener = RecordingClient("/agent")
    await listener.connect(server.base_url, auth={"token": headers["Authorization"][7:]})
    seen.clear()
    try:
        with pytest.raises(RuntimeError):
            async with unit_of_work(runtime) as uow:
                uow.record(Pinged("rolled-back"))
                raise RuntimeError("fails after recording")
        async with unit_of_work(runtime) as uow:
            uow.record(Pinged("merge-a"))
            uow.record(Pinged("committed"))
            uow.record(Pinged("merge-a"))
            assert seen == []  # nothing before the commit
        # the barrier: the last event of the committed unit of work
        await listener.wait_for("probe", lambda d: d["label"] == "merge-a")
        assert listener.received["probe"] == [
            {"label": "committed", "count": 1},
            {"label": "merge-a", "count": 2},
        ]
        assert all(e.prepared for e in seen) and "rolled-back" not in [e.label for e in seen]
    finally:
        await listener.disconnect()


async def test_a_failing_listener_does_not_stop_the_others(runtime: Runtime) -> None:
    calls: list[str] = []

    @dataclass(frozen=True)
    class Boom(DomainEvent):
        name: ClassVar[str] = f"tests.boom.{uuid.uuid4().hex}"

    def bad(runtime: Any, event: Boom) -> None:
        raise ValueError("listener bug")

    def good(runtime: Any, event: Boom) -> None:
        calls.append("good")

    listen(Boom, name=f"{Boom.name}.bad")(bad)
    listen(Boom, name=f"{Boom.name}.good")(good)
    async with unit_of_work(runtime) as uow:
        uow.record(Boom())
    assert calls == ["good"]


async def test_plain_listeners_start_before_any_emission_and_emissions_keep_their_order() -> None:
    """The AI's reply (a plain listener) starts before the commit's emissions go out; the
    emissions still go out in the order of the events and their listeners."""

    @dataclass(frozen=True)
    class First(DomainEvent):
        name: ClassVar[str] = f"tests.first.{uuid.uuid4().hex}"

    @dataclass(frozen=True)
    class Second(DomainEvent):
        name: ClassVar[str] = f"tests.second.{uuid.uuid4().hex}"

    published: list[str] = []
    published_when_started: list[int] = []

    class Publisher:
        async def emit(self, event: str, payload: Any, **_: Any) -> None:
            published.append(event)

    def one(runtime: Any, event: First) -> list[Emission]:
        return [Emission("one", {}, ("agents",), "/agent")]

    async def two(runtime: Any, event: First) -> list[Emission]:
        return [Emission("two", {}, ("agents",), "/agent")]

    def starts_work(runtime: Any, event: Second) -> list[Emission]:
        published_when_started.append(len(published))
        return [Emission("three", {}, ("agents",), "/agent")]

    listen(First, name=f"{First.name}.one")(one)
    listen(First, name=f"{First.name}.two")(two)
    listen(Second, name=f"{Second.name}.starts")(starts_work)
    runtime: Any = type("StubRuntime", (), {"publisher": Publisher()})()
    await dispatch(runtime, [First(), Second()])
    assert published_when_started == [0]  # before the first event's emissions went out
    assert published == ["one", "two", "three"]
