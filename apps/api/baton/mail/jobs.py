"""The outbox's jobs: one attempt per ``mail.send``; the sweep every minute and at start."""

from __future__ import annotations

import uuid

from baton.jobs import cron_job, job
from baton.kit.uow import UnitOfWork
from baton.mail import outbox


@job(outbox.SEND_JOB, max_tries=1, timeout_seconds=120)
async def send_email(uow: UnitOfWork, *, email_id: str) -> str:
    # the attempt commits its claim and its outcome itself (see outbox.send)
    return await outbox.send(uow.runtime, uuid.UUID(email_id))


@cron_job("mail.sweep", second=20, run_at_startup=True)
async def sweep_outbox(uow: UnitOfWork) -> int:
    return await outbox.sweep(uow.runtime)
