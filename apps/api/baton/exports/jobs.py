"""Export jobs: run one export; sweep expired files every ten minutes."""

from __future__ import annotations

import uuid

from baton.exports import service
from baton.jobs import cron_job, job
from baton.kit.uow import UnitOfWork


@job("exports.run", max_tries=1, timeout_seconds=3600)
async def run_export(uow: UnitOfWork, *, export_id: str) -> str:
    return await service.run(uow, uuid.UUID(export_id))


@cron_job("exports.sweep", every_minutes=10, second=50)
async def sweep_exports(uow: UnitOfWork) -> int:
    return await service.sweep(uow)
