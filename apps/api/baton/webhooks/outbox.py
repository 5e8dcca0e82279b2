"""Deliveries are written with the change that caused them, then sent by the worker.

``write_deliveries`` runs inside every unit of work that recorded events (kit/events
``write_before_commit``): one row per event per subscribed webhook, committed with the
change, so an event is never lost because Redis or the worker was away. After commit each
row is handed to the job queue; ``sweep`` hands over whatever the queue missed.

The active subscriptions are cached per process for a few seconds (the hot path must not pay
a query per message); a change made here clears this process's copy at once, other processes
see it within ``CACHE_SECONDS``.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from baton.db.base import utcnow
from baton.db.savepoint import savepoint
from baton.kit.events import DomainEvent, write_before_commit
from baton.kit.ids import uuid7
from baton.webhooks.models import Webhook, WebhookDelivery
from baton.webhooks.payloads import MAPPERS, VERSION, matches

if TYPE_CHECKING:
    from baton.kit.uow import UnitOfWork
    from baton.runtime import Runtime

log = logging.getLogger(__name__)

DELIVER_JOB = "webhooks.deliver"
CACHE_SECONDS = 5.0


@dataclass
class ActiveWebhooks:
    """This process's copy of the active subscriptions: (id, events) pairs."""

    rows: list[tuple[uuid.UUID, list[str]]] = field(default_factory=list)
    loaded_at: float = -1e9

    def clear(self) -> None:
        self.loaded_at = -1e9

    async def get(self, uow: UnitOfWork) -> list[tuple[uuid.UUID, list[str]]]:
        if time.monotonic() - self.loaded_at > CACHE_SECONDS:
            found = await uow.session.execute(
                select(Webhook.id, Webhook.events).where(Webhook.active.is_(True))
            )
            self.rows = [(wid, list(events or [])) for wid, events in found.all()]
            self.loaded_at = time.monotonic()
        return self.rows


def envelope(delivery_id: uuid.UUID, event: str, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": str(delivery_id),
        "event": event,
        "version": VERSION,
        "created_at": utcnow().isoformat(),
        "data": data,
    }


@write_before_commit
async def write_deliveries(uow: UnitOfWork, events: list[DomainEvent]) -> None:
    mapped = [(MAPPERS[type(e)], e) for e in events if type(e) in MAPPERS]
    if not mapped:
        return
    hooks = await uow.runtime.slot(ActiveWebhooks).get(uow)
    if not hooks:
        return
    wanted = {wid for wid, _ in hooks}
    # the cache may be seconds old: write only for webhooks that still exist and are on now
    live = set(
        await uow.session.scalars(
            select(Webhook.id).where(Webhook.id.in_(wanted), Webhook.active.is_(True))
        )
    )
    if len(live) != len(wanted):
        uow.runtime.slot(ActiveWebhooks).clear()
    rows = []
    for (name, build), event in mapped:
        targets = [wid for wid, subscribed in hooks if wid in live and matches(subscribed, name)]
        if not targets:
            continue
        data = build(event)
        for webhook_id in targets:
            delivery_id = uuid7()
            rows.append(
                WebhookDelivery(
                    id=delivery_id,
                    webhook_id=webhook_id,
                    event=name,
                    payload=envelope(delivery_id, name, data),
                    status="queued",
                    attempts=0,
                    next_attempt_at=utcnow(),
                )
            )
    if not rows:
        return
    try:
        # a webhook deleted in the instant since the check must not undo the change itself
        async with savepoint(uow.session):
            uow.session.add_all(rows)
            await uow.session.flush()
    except IntegrityError:
        log.warning("webhook deliveries dropped: a subscription went away meanwhile")
        uow.runtime.slot(ActiveWebhooks).clear()
        return
    runtime = uow.runtime
    ids = [r.id for r in rows]

    async def hand_over() -> None:
        for delivery_id in ids:
            if not await kick(runtime, delivery_id):
                return  # the queue is down: the sweep delivers them

    uow.after_commit(hand_over)


async def kick(runtime: Runtime, delivery_id: uuid.UUID, *, delay: float | None = None) -> bool:
    try:
        await runtime.jobs.enqueue(
            DELIVER_JOB, {"delivery_id": str(delivery_id)}, defer_seconds=delay
        )
    except Exception:
        log.warning("webhook delivery left for the sweep: job queue unreachable", exc_info=True)
        return False
    return True
