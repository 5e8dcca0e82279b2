"""Who is on the site right now (the inbox subscribes to ``live_visitors_update`` deltas,
then reads this list: events are hints, this is the truth)."""

from __future__ import annotations

from litestar import Controller, get

from baton.auth.edge import requires
from baton.auth.permissions import Permission
from baton.kit.http import errors
from baton.kit.uow import UnitOfWork
from baton.runtime import Runtime
from baton.visitors.presence import VisitorPresence
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
