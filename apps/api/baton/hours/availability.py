"""Is anyone answering right now? The widget config and ``request_agent`` ask here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from baton.conversations import assignment
from baton.db.base import utcnow
from baton.hours import schedule as rules
from baton.hours.service import current_schedule
from baton.kit.uow import UnitOfWork


@dataclass(frozen=True)
class Availability:
    online: bool  # inside business hours (or the override says open)
    agents_online: bool
    next_open_at: datetime | None


async def availability(uow: UnitOfWork, now: datetime | None = None) -> Availability:
    now = now or utcnow()
    sched = await current_schedule(uow.session)
    is_open = rules.is_open(sched, now)
    agents = bool(await assignment.online_agents(uow))
    return Availability(is_open, agents, None if is_open else rules.next_open_at(sched, now))
