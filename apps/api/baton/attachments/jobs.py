"""The sweeps: files of deleted conversations, never-sent uploads and (optionally) anything
past the retention period leave storage; hourly, stored objects no row claims."""

from __future__ import annotations

from baton.attachments import service
from baton.jobs import cron_job
from baton.kit.uow import UnitOfWork


@cron_job("attachments.sweep", every_minutes=10, second=35, run_at_startup=True)
async def sweep_attachments(uow: UnitOfWork) -> int:
    return await service.sweep(uow)


@cron_job("attachments.orphans", every_minutes=60, second=50)
async def sweep_orphaned_objects(uow: UnitOfWork) -> int:
    return await service.sweep_orphans(uow)
