"""One attempt per ``webhooks.deliver``; the sweep every minute and at worker start."""

from __future__ import annotations

import uuid

from baton.jobs import cron_job, job
from baton.kit.uow import UnitOfWork
from baton.webhooks import delivery


@job("webhooks.deliver", max_tries=1, timeout_seconds=120)
async def deliver_webhook(uow: UnitOfWork, *, delivery_id: str) -> str:
    # the attempt commits its claim and its outcome itself (see delivery.deliver)
    return await delivery.deliver(uow.runtime, uuid.UUID(delivery_id))


@cron_job("webhooks.sweep", second=40, run_at_startup=True)
async def sweep_webhooks(uow: UnitOfWork) -> int:
    return await delivery.sweep(uow.runtime)
