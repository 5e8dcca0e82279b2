"""A labelled workload: conversations with known timestamps, inserted as the services would
have recorded them (status moves in ``conversation_events``, replies in ``messages``), and
the figures a person counts by hand from it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, text
from sqlalchemy.ext.asyncio import AsyncSession

from baton.analytics.models import AnalyticsDaily, AnalyticsHourly, AnalyticsState, ReportingEvent
from baton.conversations.models import Conversation, ConversationEvent, Message
from baton.csat.models import CsatResponse
from baton.jobs.queues import InProcessQueue
from baton.kit.ids import uuid7
from baton.runtime import Runtime
from baton.users.models import User
from baton.visitors.models import Visitor
from tests.factories import make_user

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # a Monday; New York is on EST (UTC-5)
DAY2 = datetime(2026, 11, 3, tzinfo=UTC)


def at(base: datetime, **delta: float) -> datetime:
    return base + timedelta(**delta)


@dataclass
class Workload:
    alice: User
    bob: User
    conversations: dict[str, uuid.UUID] = field(default_factory=dict)
    messages: int = 0  # visitor + bot + agent, not internal, not system


class Builder:
    def __init__(self, session: Any, w: Workload) -> None:
        self.session = session
        self.w = w
        self.parents: list[Any] = []
        self.rows: list[Any] = []

    async def flush(self) -> None:
        """Parents first: the models have no relationships to order the inserts."""
        self.session.add_all(self.parents)
        await self.session.flush()
        self.session.add_all(self.rows)
        await self.session.flush()

    def conversation(self, label: str, created: datetime, status: str) -> uuid.UUID:
        visitor = Visitor(
            id=uuid7(), name=f"Visitor {label}", created_at=created, updated_at=created
        )
        c = Conversation(
            id=uuid7(), visitor_id=visitor.id, status=status, created_at=created, updated_at=created
        )
        self.parents.append(visitor)
        self.rows.append(c)
        self.w.conversations[label] = c.id
        return c.id

    def move(
        self,
        cid: uuid.UUID,
        when: datetime,
        src: str,
        dst: str,
        *,
        assignee: User | None = None,
        actor: str = "system",
        reason: str | None = None,
    ) -> None:
        self.rows.append(
            ConversationEvent(
                conversation_id=cid,
                from_status=src,
                to_status=dst,
                actor_kind=actor,
                actor_id=assignee.id if assignee and actor == "agent" else None,
                assignee_id=assignee.id if assignee else None,
                reason=reason,
                created_at=when,
            )
        )

    def say(
        self,
        cid: uuid.UUID,
        when: datetime,
        sender: str,
        text: str,
        *,
        author: User | None = None,
        internal: bool = False,
    ) -> None:
        self.rows.append(
            Message(
                conversation_id=cid,
                sender=sender,
                text=text,
                internal=internal,
                author_id=author.id if author else None,
                author_name=author.name if author else None,
                client_id=uuid.uuid4().hex if sender in ("visitor", "agent") else None,
                created_at=when,
            )
        )
        if sender in ("visitor", "bot", "agent") and not internal:
            self.w.messages += 1

    def rate(self, cid: uuid.UUID, when: datetime, rating: int, agent: User | None = None) -> None:
        """The visitor's CSAT rating, attributed to the agent who owned the conversation."""
        self.rows.append(
            CsatResponse(
                conversation_id=cid,
                rating=rating,
                channel="widget",
                agent_id=agent.id if agent else None,
                created_at=when,
            )
        )


async def reset_analytics(runtime: Runtime) -> None:
    """Forget rollup watermarks left by the start-up rollup (the in-process runner fires it
    when the server starts, perhaps during this test): the workload is dated in the past, so
    a watermark set before it is inserted would hide it from the incremental job."""
    if isinstance(runtime.jobs, InProcessQueue):
        await runtime.jobs.drain(timeout=20)
    async with runtime.db.session() as session:
        await forget_rollups(session)
        await session.commit()


async def forget_rollups(session: AsyncSession) -> None:
    """In the caller's transaction: a workload inserted in the same one can never fall
    behind a watermark that a scheduled rollup set in between (the cron fires every five
    minutes, whenever a test happens to straddle it)."""
    if session.get_bind().dialect.name == "postgresql":
        # wait for a run of the worker's to finish (rollups take this lock)
        await session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": 0x42A7_0001})
    for model in (AnalyticsState, AnalyticsHourly, AnalyticsDaily, ReportingEvent):
        await session.execute(delete(model))


async def build(runtime: Runtime) -> Workload:
    await reset_analytics(runtime)
    alice = await make_user(runtime, name="Alice")
    bob = await make_user(runtime, name="Bob")
    w = Workload(alice, bob)
    async with runtime.db.session() as session:
        await forget_rollups(session)
        b = Builder(session, w)
        # c1: the AI settles it in ten minutes
        c1 = b.conversation("c1", T0, "resolved")
        b.say(c1, at(T0, minutes=1), "visitor", "How do I reset my password?")
        b.say(c1, at(T0, minutes=1, seconds=5), "bot", "Open Settings, then Security.")
        b.move(c1, at(T0, minutes=10), "bot", "resolved", actor="visitor", reason="resolved")
        b.rate(c1, at(T0, minutes=12), 5)
        # c2: the AI answers, the visitor goes quiet, closed for inactivity after 55 min
        c2 = b.conversation("c2", at(T0, minutes=5), "resolved")
        b.say(c2, at(T0, minutes=6), "visitor", '=HYPERLINK("http://x")')
        b.say(c2, at(T0, minutes=6, seconds=3), "bot", "Here is our pricing page.")
        b.move(c2, at(T0, hours=1), "bot", "resolved", reason="inactive")
        b.say(c2, at(T0, hours=1), "system", "This conversation was closed.")
        b.rate(c2, at(T0, hours=1, minutes=5), 3)  # 3 is not satisfied
        # c3: handed off at 09:10, Alice takes it at 09:11, first reply 09:12 (120 s),
        # resolved 09:30 (1680 s after it opened)
        c3 = b.conversation("c3", at(T0, minutes=2), "resolved")
        b.say(c3, at(T0, minutes=3), "visitor", "I want a refund")
        b.say(c3, at(T0, minutes=3, seconds=2), "bot", "Let me get a person.")
        b.move(c3, at(T0, minutes=10), "bot", "waiting", actor="ai", reason="ai_requested")
        b.move(
            c3,
            at(T0, minutes=11),
            "waiting",
            "agent",
            assignee=alice,
            actor="agent",
            reason="take_over",
        )
        b.say(c3, at(T0, minutes=11), "system", "Alice joined the conversation")
        b.say(c3, at(T0, minutes=12), "agent", "Hi, Alice here.", author=alice)
        b.say(c3, at(T0, minutes=20), "agent", "Refund sent.", author=alice)
        b.move(c3, at(T0, minutes=30), "agent", "resolved", assignee=alice, actor="agent")
        b.rate(c3, at(T0, minutes=35), 4, alice)  # 4 is satisfied
        # c4: handed off at 12:00, Bob takes it 12:05, a private note 12:06 (not a reply),
        # first reply 12:10 (600 s), resolved 13:00 (4200 s after it opened at 11:50)
        c4 = b.conversation("c4", at(T0, hours=2, minutes=50), "resolved")
        b.say(c4, at(T0, hours=2, minutes=55), "visitor", "agent please")
        b.move(c4, at(T0, hours=3), "bot", "waiting", actor="visitor", reason="visitor_requested")
        b.move(
            c4,
            at(T0, hours=3, minutes=5),
            "waiting",
            "agent",
            assignee=bob,
            actor="agent",
            reason="take_over",
        )
        b.say(c4, at(T0, hours=3, minutes=6), "agent", "check the order", author=bob, internal=True)
        b.say(c4, at(T0, hours=3, minutes=10), "agent", "Hello from Bob", author=bob)
        b.move(c4, at(T0, hours=4), "agent", "resolved", assignee=bob, actor="agent")
        b.rate(c4, at(T0, hours=4, minutes=10), 2, bob)
        # c5 (day 2): Alice takes over from the AI at 10:00 and replies 30 s later; still open
        c5 = b.conversation("c5", at(DAY2, hours=9, minutes=50), "agent")
        b.say(c5, at(DAY2, hours=9, minutes=51), "visitor", "hello?")
        b.say(c5, at(DAY2, hours=9, minutes=51, seconds=1), "bot", "Hi! How can I help?")
        b.move(
            c5,
            at(DAY2, hours=10),
            "bot",
            "agent",
            assignee=alice,
            actor="agent",
            reason="take_over",
        )
        b.say(c5, at(DAY2, hours=10, seconds=30), "agent", "Alice here, let me help.", author=alice)
        # c6 (day 2): handed off at 12:00, nobody answers, closed from the queue at 12:30
        c6 = b.conversation("c6", at(DAY2, hours=11, minutes=55), "resolved")
        b.say(c6, at(DAY2, hours=11, minutes=56), "visitor", "+1 555 0100 call me")
        b.move(
            c6, at(DAY2, hours=12), "bot", "waiting", actor="visitor", reason="visitor_requested"
        )
        b.move(c6, at(DAY2, hours=12, minutes=30), "waiting", "resolved", reason="inactive")
        # c8 (day 2): the AI settles it, the visitor comes back, the AI settles it again
        c8 = b.conversation("c8", at(DAY2, hours=8), "resolved")
        b.say(c8, at(DAY2, hours=8, minutes=1), "visitor", "shipping time?")
        b.say(c8, at(DAY2, hours=8, minutes=1, seconds=2), "bot", "Two days.")
        b.move(c8, at(DAY2, hours=8, minutes=5), "bot", "resolved", actor="visitor")
        b.move(
            c8,
            at(DAY2, hours=8, minutes=20),
            "resolved",
            "bot",
            actor="visitor",
            reason="visitor_returned",
        )
        b.say(c8, at(DAY2, hours=8, minutes=20), "visitor", "and to Canada?")
        b.say(c8, at(DAY2, hours=8, minutes=20, seconds=2), "bot", "Five days.")
        b.move(c8, at(DAY2, hours=8, minutes=40), "bot", "resolved", actor="visitor")
        b.rate(c8, at(DAY2, hours=8, minutes=45), 5)
        # c7: opened 02:00 UTC on Nov 4 (21:00 on Nov 3 in New York), the AI is on it
        c7 = b.conversation("c7", at(DAY2, hours=26), "bot")
        b.say(c7, at(DAY2, hours=26, minutes=1), "visitor", "@everyone hi")
        await b.flush()
        await session.commit()
    return w


# The hand count over 2026-11-02..2026-11-04 (UTC days, both included)
EXPECTED_OVERVIEW = {
    "conversations": 8,
    "bot_resolved": 4,  # c1, c2, c8 twice
    "handed_off": 4,  # c3, c4, c5, c6
    "resolved": 7,  # c1, c2, c3, c4, c6, c8 twice
    "reopened": 1,
    "ai_containment_rate": round(4 / 7, 4),
    "handoff_rate": 0.5,
    "first_response_seconds_p50": 120.0,  # of 30, 120, 600
    "first_response_seconds_p90": 504.0,  # 120 + 0.8 * (600 - 120)
    "resolution_seconds_p50": 2100.0,  # of 300, 600, 1680, 2100, 2400, 3300, 4200
    # ratings: c1 5, c2 3, c3 4 (Alice), c4 2 (Bob) on Nov 2; c8 5 on Nov 3
    "csat_average": 3.8,  # 19 / 5
    "csat_responses": 5,
    "csat_satisfied": 3,  # the 4s and 5s: c1, c3, c8
    "csat_satisfied_rate": 0.6,  # 3 of 5
}
