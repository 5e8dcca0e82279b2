"""The derivation of reporting facts and the mergeable figures, as pure functions."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta

from baton.analytics import facts as F
from baton.analytics.aggregate import Agg, percentile, quantize

T = datetime(2026, 11, 2, 9, tzinfo=UTC)
AGENT = uuid.uuid4()
CID = uuid.uuid4()


def s(seconds: float) -> datetime:
    return T + timedelta(seconds=seconds)


def move(at: float, src: str, dst: str, assignee: uuid.UUID | None = None) -> F.StatusMove:
    return F.StatusMove(s(at), src, dst, assignee, None)


def kinds(facts: list[F.Fact]) -> list[tuple[str, float | None]]:
    return [(f.kind, f.value_seconds) for f in facts]


def test_the_clock_restarts_when_the_ai_takes_the_conversation_back() -> None:
    facts = F.derive(
        F.ConversationRow(CID, T),
        [
            move(60, "bot", "waiting"),
            move(120, "waiting", "bot"),  # nobody came; the visitor went back to the AI
            move(600, "bot", "waiting"),
            move(650, "waiting", "agent", AGENT),
            move(900, "agent", "resolved", AGENT),
        ],
        [F.AgentReply(s(700), AGENT)],
    )
    assert kinds(facts) == [
        (F.OPENED, None),
        (F.HANDED_OFF, None),  # once per conversation
        (F.ASSIGNED, None),
        (F.FIRST_RESPONSE, 100.0),  # from the second handoff (600 s) to the reply (700 s)
        (F.RESOLVED, 900.0),
    ]
    resolved = facts[-1]
    assert resolved.value == 0.0 and resolved.agent_id == AGENT


def test_an_integrator_reply_is_a_human_and_a_queue_abandon_is_not_contained() -> None:
    api_reply = F.derive(
        F.ConversationRow(CID, T),
        [move(10, "bot", "agent"), move(50, "agent", "resolved")],
        [F.AgentReply(s(11), None)],
    )
    assert [f.kind for f in api_reply][:3] == [F.OPENED, F.HANDED_OFF, F.FIRST_RESPONSE]
    assert api_reply[-1].value == 0.0
    abandoned = F.derive(
        F.ConversationRow(CID, T), [move(10, "bot", "waiting"), move(70, "waiting", "resolved")], []
    )
    assert [f.kind for f in abandoned] == [F.OPENED, F.HANDED_OFF, F.RESOLVED]
    assert abandoned[-1].value == 0.0  # waited for a person: not the AI's success
    bot = F.derive(F.ConversationRow(CID, T), [move(30, "bot", "resolved")], [])
    assert bot[-1].value == 1.0 and bot[-1].value_seconds == 30.0


def test_reopen_and_second_resolution() -> None:
    facts = F.derive(
        F.ConversationRow(CID, T),
        [move(30, "bot", "resolved"), move(90, "resolved", "bot"), move(120, "bot", "resolved")],
        [],
    )
    assert kinds(facts) == [
        (F.OPENED, None),
        (F.RESOLVED, 30.0),
        (F.REOPENED, None),
        (F.RESOLVED, 120.0),
    ]


def test_percentiles_interpolate_and_histograms_merge() -> None:
    assert percentile(Counter(), 0.5) is None
    assert percentile(Counter({120: 1, 600: 1}), 0.5) == 360.0
    assert percentile(Counter({30: 1, 120: 1, 600: 1}), 0.9) == 504.0
    assert percentile(Counter({5: 3}), 0.9) == 5.0
    assert quantize(59.9) == 59 and quantize(3725.0) == 3720 and quantize(-1) == 0
    a, b = Agg(), Agg()
    a.first_response.update({30: 1})
    b.first_response.update({120: 1, 600: 1})
    a.merge(b)
    assert percentile(a.first_response, 0.5) == 120.0
