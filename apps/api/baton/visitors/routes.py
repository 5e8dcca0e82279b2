"""Who is on the site right now (the inbox subscribes to ``live_visitors_update`` deltas,
then reads this list: events are hints, this is the truth)."""

from __future__ import annotations

import msgspec
from litestar import Controller, get, put

from baton.audit.service import diff, record_audit
from baton.auth.edge import requires
from baton.auth.permissions import Permission
from baton.auth.principal import Principal
from baton.kit.http import errors
from baton.kit.uow import UnitOfWork
from baton.runtime import Runtime
from baton.visitors import rules
from baton.visitors.presence import VisitorPresence
from baton.visitors.rules import ProactiveRules
from baton.visitors.service import LiveVisitorList, live_visitors


class VisitorsController(Controller):
    path = "/api/v1/visitors"
    tags = ["visitors"]
    guards = [requires(Permission.CONVERSATIONS_READ)]

    @get("/live", responses=errors(403))
    async def live(self, uow: UnitOfWork, runtime: Runtime) -> LiveVisitorList:
        presence = runtime.slot(VisitorPresence).bind(runtime)
        ids = await presence.live()
        pages = await presence.pages(ids)
        return LiveVisitorList(await live_visitors(uow, ids, pages))

    @get("/proactive-rules", guards=[requires(Permission.SETTINGS_MANAGE)], responses=errors(403))
    async def get_rules(self, uow: UnitOfWork) -> ProactiveRules:
        return await rules.load(uow.session)

    @put("/proactive-rules", guards=[requires(Permission.SETTINGS_MANAGE)], responses=errors(403))
    async def put_rules(
        self, uow: UnitOfWork, principal: Principal, data: ProactiveRules
    ) -> ProactiveRules:
        before = msgspec.to_builtins(await rules.load(uow.session))
        saved = await rules.save(uow.session, data)
        changes = diff(before, msgspec.to_builtins(saved))
        if changes:
            record_audit(uow, principal, "visitors.rules_updated", "visitors", "rules", changes)
        return saved
