"""A job-phase listener's ``unless`` gate runs in the committing process: True queues nothing,
False queues the job, and a gate that fails lets the job go (a needless job beats a lost one)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import pytest

from baton.kit.events import DomainEvent, listen
from baton.kit.uow import dispatch


@dataclass(frozen=True)
class Gated(DomainEvent):
    name: ClassVar[str] = "tests.gated"
    verdict: str  # what the gate answers: "skip", "go" or "fail"


async def _gate(runtime: Any, event: Gated) -> bool:
    if event.verdict == "fail":
        raise ConnectionError("the registry is away")
    return event.verdict == "skip"


@listen(Gated, phase="job", name="tests.gated.job", unless=_gate)
async def _job(runtime: Any, event: Gated) -> None:
    raise AssertionError("dispatch only queues a job-phase listener")


class Recording:
    def __init__(self) -> None:
        self.queued: list[tuple[str, dict[str, Any]]] = []

    async def enqueue(
        self, name: str, kwargs: dict[str, Any], *, defer_seconds: float | None = None
    ) -> None:
        self.queued.append((name, kwargs))


class FakeRuntime:
    def __init__(self) -> None:
        self.jobs = Recording()


@pytest.mark.parametrize(("verdict", "queued"), [("skip", 0), ("go", 1), ("fail", 1)])
async def test_the_gate_decides_whether_the_job_is_queued(verdict: str, queued: int) -> None:
    runtime = FakeRuntime()
    await dispatch(runtime, [Gated(verdict)])  # type: ignore[arg-type]
    listeners = [k["listener"] for _, k in runtime.jobs.queued]
    assert listeners == ["tests.gated.job"] * queued


def test_a_realtime_listener_takes_no_gate() -> None:
    with pytest.raises(ValueError, match="job-phase"):
        listen(Gated, name="tests.gated.realtime", unless=_gate)
