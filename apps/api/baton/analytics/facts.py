"""Reporting facts: what happened to a conversation, derived from the records that already
hold everything (``conversation_events`` for every status move, ``messages`` for replies).

The derivation is a pure function of one conversation's history, so the job that stores the
facts (``reporting_events``) and the API's live path for the current hour compute exactly the
same thing. Definitions are in docs/analytics.md.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, literal, select, union
from sqlalchemy.ext.asyncio import AsyncSession

from baton.conversations.models import Conversation, ConversationEvent, Message
from baton.hours import schedule as hours_rules
from baton.hours.service import current_schedule

CHUNK = 500
DEFAULT_CHANNEL = "widget"
# the conversations table gains a ``channel`` column with the channel-agnostic pipeline;
# until then every conversation came through the widget
CHANNEL_COLUMN: Any = getattr(Conversation, "channel", None)

OPENED = "conversation_opened"
HANDED_OFF = "handed_off"
ASSIGNED = "assigned"
FIRST_RESPONSE = "first_response"
RESOLVED = "resolved"
REOPENED = "reopened"
CSAT_GIVEN = "csat_given"
KINDS = (OPENED, HANDED_OFF, ASSIGNED, FIRST_RESPONSE, RESOLVED, REOPENED, CSAT_GIVEN)


@dataclass(frozen=True, order=True)
class Fact:
    at: datetime
    kind: str
    conversation_id: uuid.UUID
    agent_id: uuid.UUID | None = None
    channel: str = DEFAULT_CHANNEL
    value_seconds: float | None = None
    value: float | None = None  # RESOLVED: 1.0 when the AI alone settled it; CSAT: the rating
    reason: str | None = None
    # the same duration counting only the team's open time (business hours)
    business_seconds: float | None = None


@dataclass(frozen=True)
class ConversationRow:
    id: uuid.UUID
    created_at: datetime
    channel: str = DEFAULT_CHANNEL


@dataclass(frozen=True)
class StatusMove:
    at: datetime
    from_status: str
    to_status: str
    assignee_id: uuid.UUID | None
    reason: str | None


@dataclass(frozen=True)
class AgentReply:
    at: datetime
    author_id: uuid.UUID | None


def seconds_between(start: datetime, end: datetime) -> float:
    return max(0.0, (end - start).total_seconds())


def derive(
    conversation: ConversationRow,
    moves: Sequence[StatusMove],
    replies: Sequence[AgentReply],
    schedule: hours_rules.Schedule | None = None,
) -> list[Fact]:
    """Every fact of one conversation, in time order (moves before replies at one instant).

    With a ``schedule``, durations also get ``business_seconds``: only the open time of the
    business hours between the two instants."""
    cid, channel = conversation.id, conversation.channel

    def business(start: datetime, end: datetime) -> float | None:
        if schedule is None:
            return None
        return hours_rules.open_seconds(schedule, start, end)

    facts = [Fact(conversation.created_at, OPENED, cid, channel=channel)]
    timeline: list[tuple[datetime, int, StatusMove | AgentReply]] = [
        (m.at, 0, m) for m in moves
    ] + [(r.at, 1, r) for r in replies]
    timeline.sort(key=lambda item: (item[0], item[1]))

    handed_off = False  # the conversation has been handed to humans at least once
    human = False  # a person (agent or integrator) has owned or answered it
    waiting_since: datetime | None = None  # handoff not yet answered by a person
    answered = False  # the first human response has been recorded
    assigned: set[uuid.UUID] = set()
    owner: uuid.UUID | None = None
    for at, _, item in timeline:
        if isinstance(item, StatusMove):
            src, dst = item.from_status, item.to_status
            if src == "resolved" and dst != "resolved":
                facts.append(Fact(at, REOPENED, cid, channel=channel, reason=item.reason))
            is_handoff = dst == "waiting" or (src == "bot" and dst == "agent")
            if is_handoff:
                if not handed_off:
                    handed_off = True
                    facts.append(
                        Fact(
                            at,
                            HANDED_OFF,
                            cid,
                            agent_id=item.assignee_id if dst == "agent" else None,
                            channel=channel,
                            reason=item.reason,
                        )
                    )
                if waiting_since is None and not answered:
                    waiting_since = at
            if dst == "agent":
                human = True
                if item.assignee_id is not None:
                    owner = item.assignee_id
                    if item.assignee_id not in assigned:
                        assigned.add(item.assignee_id)
                        facts.append(
                            Fact(at, ASSIGNED, cid, agent_id=item.assignee_id, channel=channel)
                        )
            elif dst in ("bot", "resolved"):
                waiting_since = None  # back to the AI, or closed, before anyone answered
            if dst == "resolved":
                contained = not human and not handed_off
                facts.append(
                    Fact(
                        at,
                        RESOLVED,
                        cid,
                        agent_id=None if contained else (item.assignee_id or owner),
                        channel=channel,
                        value_seconds=seconds_between(conversation.created_at, at),
                        value=1.0 if contained else 0.0,
                        reason=item.reason,
                        business_seconds=business(conversation.created_at, at),
                    )
                )
        else:
            human = True
            if item.author_id is not None:
                owner = owner or item.author_id
            if waiting_since is not None and not answered:
                answered = True
                facts.append(
                    Fact(
                        at,
                        FIRST_RESPONSE,
                        cid,
                        agent_id=item.author_id,
                        channel=channel,
                        value_seconds=seconds_between(waiting_since, at),
                        business_seconds=business(waiting_since, at),
                    )
                )
                waiting_since = None
    return sorted(facts)


# -- extra fact sources (CSAT plugs in here) ---------------------------------------------
FactSource = Callable[[AsyncSession, Sequence[uuid.UUID]], Awaitable[list[Fact]]]
FACT_SOURCES: list[FactSource] = []
TouchedQuery = Callable[[datetime | None, datetime | None], Select[Any]]
TOUCHED_SOURCES: list[TouchedQuery] = []


def register_source(facts: FactSource, touched: TouchedQuery | None = None) -> None:
    """A domain adds facts of its own (``csat_given`` from a csat table, ticket events):
    ``facts`` returns them for a set of conversations; ``touched`` selects the ids of
    conversations with new rows in a time range, so incremental runs pick them up."""
    if facts not in FACT_SOURCES:
        FACT_SOURCES.append(facts)
    if touched is not None and touched not in TOUCHED_SOURCES:
        TOUCHED_SOURCES.append(touched)


# -- loading -----------------------------------------------------------------------------
def _between(column: Any, since: datetime | None, until: datetime | None) -> list[Any]:
    conditions = []
    if since is not None:
        conditions.append(column >= since)
    if until is not None:
        conditions.append(column < until)
    return conditions


def touched_query(since: datetime | None, until: datetime | None) -> Any:
    """Ids of conversations with a fact-bearing record in [since, until)."""
    parts: list[Select[Any]] = [
        select(Conversation.id.label("cid")).where(
            *_between(Conversation.created_at, since, until)
        ),
        select(ConversationEvent.conversation_id.label("cid")).where(
            *_between(ConversationEvent.created_at, since, until)
        ),
        select(Message.conversation_id.label("cid")).where(
            Message.sender == "agent",
            Message.internal.is_(False),
            *_between(Message.created_at, since, until),
        ),
    ]
    parts.extend(q(since, until) for q in TOUCHED_SOURCES)
    return union(*parts)


async def touched_conversations(
    session: AsyncSession, since: datetime | None, until: datetime | None
) -> list[uuid.UUID]:
    q = touched_query(since, until).subquery()
    return sorted(set((await session.scalars(select(q.c.cid))).all()))


async def load_facts(
    session: AsyncSession,
    ids: Iterable[uuid.UUID],
    schedule: hours_rules.Schedule | None = None,
) -> list[Fact]:
    """Derive the facts of these conversations (in chunks, a few queries each); business
    durations follow ``schedule``, by default the workspace's current business hours."""
    ids = list(ids)
    out: list[Fact] = []
    if not ids:
        return out
    if schedule is None:
        schedule = await current_schedule(session)
    for i in range(0, len(ids), CHUNK):
        out.extend(await _load_chunk(session, ids[i : i + CHUNK], schedule))
    return out


async def _load_chunk(
    session: AsyncSession, ids: list[uuid.UUID], schedule: hours_rules.Schedule
) -> list[Fact]:
    channel = CHANNEL_COLUMN if CHANNEL_COLUMN is not None else literal(DEFAULT_CHANNEL)
    conversations = (
        await session.execute(
            select(Conversation.id, Conversation.created_at, channel.label("channel")).where(
                Conversation.id.in_(ids)
            )
        )
    ).all()
    moves: dict[uuid.UUID, list[StatusMove]] = {}
    for row in await session.execute(
        select(
            ConversationEvent.conversation_id,
            ConversationEvent.created_at,
            ConversationEvent.from_status,
            ConversationEvent.to_status,
            ConversationEvent.assignee_id,
            ConversationEvent.reason,
        )
        .where(ConversationEvent.conversation_id.in_(ids))
        .order_by(ConversationEvent.created_at, ConversationEvent.id)
    ):
        moves.setdefault(row.conversation_id, []).append(
            StatusMove(row.created_at, row.from_status, row.to_status, row.assignee_id, row.reason)
        )
    replies: dict[uuid.UUID, list[AgentReply]] = {}
    for reply in await session.execute(
        select(Message.conversation_id, Message.created_at, Message.author_id)
        .where(
            Message.conversation_id.in_(ids),
            Message.sender == "agent",
            Message.internal.is_(False),
        )
        .order_by(Message.created_at, Message.id)
    ):
        replies.setdefault(reply.conversation_id, []).append(
            AgentReply(reply.created_at, reply.author_id)
        )
    facts: list[Fact] = []
    for c in conversations:
        facts.extend(
            derive(
                ConversationRow(c.id, c.created_at, str(c.channel or DEFAULT_CHANNEL)),
                moves.get(c.id, []),
                replies.get(c.id, []),
                schedule,
            )
        )
    for source in FACT_SOURCES:
        facts.extend(await source(session, ids))
    return facts


def in_window(facts: Iterable[Fact], start: datetime, end: datetime) -> list[Fact]:
    return [f for f in facts if start <= f.at < end]
