"""``events.deliver``: runs one job-phase listener for one domain event (see kit/events)."""

from __future__ import annotations

import inspect
from typing import Any

from baton.jobs.registry import job
from baton.kit import events
from baton.kit.uow import UnitOfWork


@job("events.deliver", max_tries=3)
async def deliver(uow: UnitOfWork, *, listener: str, event: str, data: dict[str, Any]) -> None:
    spec = events.registry.by_name.get(listener)
    if spec is None:  # a listener removed since the event was queued
        return
    result = spec.fn(uow.runtime, events.from_job_kwargs(event, data))
    if inspect.isawaitable(result):
        result = await result
    for e in result or ():
        uow.publish(e.event, e.payload, rooms=e.rooms, namespace=e.namespace)
