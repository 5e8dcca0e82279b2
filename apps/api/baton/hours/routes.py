"""``GET/PUT /api/v1/business-hours``: admins edit the schedule; every change is audited."""

from __future__ import annotations

import msgspec
from litestar import Controller, get, put

from baton.audit.service import diff, record_audit
from baton.auth.edge import requires
from baton.auth.permissions import Permission
from baton.auth.principal import Principal
from baton.hours import service
from baton.hours.schemas import BusinessHoursIn, BusinessHoursOut
from baton.kit.http import errors
from baton.kit.uow import UnitOfWork


class BusinessHoursController(Controller):
    path = "/api/v1/business-hours"
    tags = ["business-hours"]

    @get(
        "/",
        guards=[requires(Permission.CONVERSATIONS_READ)],
        responses=errors(403),
        cache=False,
    )
    async def get_hours(self, uow: UnitOfWork) -> BusinessHoursOut:
        return service.describe(await service.load(uow.session))

    @put("/", guards=[requires(Permission.SETTINGS_MANAGE)], responses=errors(403, 422))
    async def put_hours(
        self, uow: UnitOfWork, principal: Principal, data: BusinessHoursIn
    ) -> BusinessHoursOut:
        before = msgspec.to_builtins(await service.load(uow.session))
        saved = await service.save(uow.session, data)
        changes = diff(before, msgspec.to_builtins(saved))
        if changes:
            record_audit(
                uow, principal, "business_hours.updated", "business_hours", "default", changes
            )
        return service.describe(saved)
