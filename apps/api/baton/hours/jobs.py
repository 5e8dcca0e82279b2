"""The wait-limit sweep: every minute, long waits are offered the offline form."""

from __future__ import annotations

from baton.hours.queue import offer_offline_to_long_waits
from baton.hours.service import load
from baton.jobs import cron_job
from baton.kit.uow import UnitOfWork


@cron_job("hours.offer_offline_to_long_waits", every_minutes=1, second=40)
async def offer_offline(uow: UnitOfWork) -> int:
    limit = (await load(uow.session)).wait_limit_seconds
    if limit is None:
        return 0
    return await offer_offline_to_long_waits(uow, limit)
