"""Analytics REST: overview, trends, the agent leaderboard, and messages per day."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from litestar import Controller, get
from litestar.params import QueryParameter

from baton.analytics import query, reports, service
from baton.auth.edge import requires
from baton.auth.permissions import Permission
from baton.kit.http import errors
from baton.kit.uow import UnitOfWork

From = Annotated[
    str | None,
    QueryParameter(name="from", description="local date (included) or ISO date-time, in tz"),
]
To = Annotated[
    str | None,
    QueryParameter(name="to", description="local date (included) or ISO date-time (excluded)"),
]
Tz = Annotated[str | None, QueryParameter(name="tz", description="IANA timezone, default UTC")]
Channel = Annotated[
    str | None, QueryParameter(name="channel", description="only this channel (widget, ...)")
]
AgentId = Annotated[
    str | None,
    QueryParameter(name="agent_id", description="only the figures attributed to this agent"),
]


class DayRow(msgspec.Struct):
    day: str
    sender: str
    messages: int
    conversations: int
    avg_chars: float


class MessagesByDay(msgspec.Struct):
    items: list[DayRow]


class Overview(msgspec.Struct):
    conversations: int
    messages: int
    bot_resolved: int
    handed_off: int
    resolved: int
    reopened: int
    ai_containment_rate: float | None
    handoff_rate: float | None
    first_response_seconds_p50: float | None
    first_response_seconds_p90: float | None
    resolution_seconds_p50: float | None
    first_response_business_seconds_p50: float | None
    first_response_business_seconds_p90: float | None
    resolution_business_seconds_p50: float | None
    csat_average: float | None
    csat_responses: int
    csat_satisfied: int  # ratings of 4 or 5
    csat_satisfied_rate: float | None  # csat_satisfied / csat_responses ("percent satisfied")
    start: str = msgspec.field(name="from")
    end: str = msgspec.field(name="to")
    tz: str = "UTC"
    channel: str | None = None
    agent_id: str | None = None
    channels: list[str] = msgspec.field(default_factory=list)  # for the channel filter


class Point(msgspec.Struct):
    at: str
    value: float | None


class Trend(msgspec.Struct):
    metric: str
    interval: str
    tz: str
    points: list[Point]


class AgentRow(msgspec.Struct):
    agent_id: str
    name: str | None
    conversations: int
    first_responses: int
    first_response_seconds_p50: float | None
    resolved: int
    resolution_seconds_p50: float | None
    first_response_business_seconds_p50: float | None
    resolution_business_seconds_p50: float | None
    csat_average: float | None
    csat_responses: int
    csat_satisfied_rate: float | None


class AgentList(msgspec.Struct):
    items: list[AgentRow]
    next_cursor: str | None = None


class AnalyticsController(Controller):
    path = "/api/v1/analytics"
    tags = ["analytics"]
    guards = [requires(Permission.ANALYTICS_READ)]

    @get("/messages", responses=errors(403))
    async def messages_by_day(
        self, uow: UnitOfWork, since: datetime | None = None, until: datetime | None = None
    ) -> MessagesByDay:
        """Messages per UTC day and sender, with conversations touched and average length."""
        service.check_range(since, until)
        rows = await service.messages_by_day(uow.session, since=since, until=until)
        return MessagesByDay([DayRow(**r) for r in rows])

    @get("/overview", responses=errors(403))
    async def overview(
        self,
        uow: UnitOfWork,
        start: From = None,
        end: To = None,
        tz: Tz = None,
        channel: Channel = None,
        agent_id: AgentId = None,
    ) -> Overview:
        """Key figures for the range (definitions in docs/analytics.md)."""
        r = reports.parse_range(start, end, tz)
        where = reports.parse_filter(channel, agent_id)
        figures = await reports.overview(uow.session, r, where)
        return Overview(
            **figures,
            start=r.start.astimezone(r.tz).isoformat(),
            end=r.end.astimezone(r.tz).isoformat(),
            tz=r.tz_name,
            channel=where.channel,
            agent_id=str(where.agent_id) if where.agent_id else None,
            channels=await query.channels(uow.session),
        )

    @get("/trends", responses=errors(403))
    async def trends(
        self,
        uow: UnitOfWork,
        metric: str = "conversations",
        interval: str = "day",
        start: From = None,
        end: To = None,
        tz: Tz = None,
        channel: Channel = None,
        agent_id: AgentId = None,
    ) -> Trend:
        """One point per local hour or day; empty buckets are 0 for counts and null for
        medians and averages."""
        r = reports.parse_range(start, end, tz)
        where = reports.parse_filter(channel, agent_id)
        points = await reports.trends(uow.session, r, metric, interval, where)
        return Trend(metric, interval, r.tz_name, [Point(**p) for p in points])

    @get("/agents", responses=errors(403))
    async def agents(
        self,
        uow: UnitOfWork,
        start: From = None,
        end: To = None,
        tz: Tz = None,
        channel: Channel = None,
        agent_id: AgentId = None,
    ) -> AgentList:
        """Per agent: conversations assigned, first response and resolution medians, CSAT."""
        r = reports.parse_range(start, end, tz)
        where = reports.parse_filter(channel, agent_id)
        rows = await reports.agents(uow.session, r, where)
        return AgentList([AgentRow(**i) for i in rows])
