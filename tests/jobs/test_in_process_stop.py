"""The in-process job runner stops even when the stop lands as a job finishes.

Python 3.11's ``asyncio.wait_for`` returns the result when a cancel arrives just as the awaited
job completes, and a runner loop built on it took the next job instead of stopping: the api's
shutdown (and a CI run) waited on it for ever. Stopping at every point of a job's last steps
covers that moment."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from baton.jobs import queues
from baton.jobs.queues import InProcessQueue
from baton.jobs.registry import JobSpec, registry

NAME = "tests.finishes_at_once"


async def _finish(runtime: Any, name: str, kwargs: dict[str, Any]) -> None:
    await asyncio.sleep(0)


async def test_stop_lands_as_a_job_finishes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(registry.jobs, NAME, JobSpec(NAME, _finish))  # gone after the test
    monkeypatch.setattr(queues, "run_job", _finish)
    monkeypatch.setattr(registry, "crons", [])
    hung = 0
    for steps in range(60):
        jobs = InProcessQueue(concurrency=1)
        await jobs.start(runtime=object())  # type: ignore[arg-type]
        await jobs.enqueue(NAME, {})
        for _ in range(steps % 6):
            await asyncio.sleep(0)
        try:
            async with asyncio.timeout(1):
                await jobs.stop()
        except TimeoutError:
            hung += 1
            for task in jobs.tasks:
                task.cancel()
    assert hung == 0, f"stop() hung {hung} times in 60"
