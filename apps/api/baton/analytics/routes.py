from __future__ import annotations

from datetime import datetime

import msgspec
from litestar import Controller, get
from litestar.response import Stream

from baton.analytics import service
from baton.auth.edge import requires
from baton.auth.permissions import Permission
from baton.kit.http import errors
from baton.kit.uow import UnitOfWork
from baton.runtime import Runtime


class DayRow(msgspec.Struct):
    day: str
    sender: str
    messages: int
    conversations: int
    avg_chars: float


class MessagesByDay(msgspec.Struct):
    items: list[DayRow]


class AnalyticsController(Controller):
    path = "/api/v1"
    tags = ["analytics"]
    guards = [requires(Permission.ANALYTICS_READ)]

    @get("/analytics/messages", responses=errors(403))
    async def messages_by_day(
        self, uow: UnitOfWork, since: datetime | None = None, until: datetime | None = None
    ) -> MessagesByDay:
        """Messages per UTC day and sender, with conversations touched and average length."""
        service.check_range(since, until)
        rows = await service.messages_by_day(uow.session, since=since, until=until)
        return MessagesByDay([DayRow(**r) for r in rows])

    @get("/exports/messages.csv", responses=errors(403), media_type="text/csv")
    async def export_messages(
        self, runtime: Runtime, since: datetime | None = None, until: datetime | None = None
    ) -> Stream:
        """Every message as CSV, streamed (constant memory, short reads)."""
        service.check_range(since, until)
        return Stream(
            service.export_messages_csv(runtime.db, since=since, until=until),
            media_type="text/csv",
            headers={"Content-Disposition": 'attachment; filename="baton-messages.csv"'},
        )
