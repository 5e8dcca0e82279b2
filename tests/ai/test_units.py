"""Small pieces of the AI layer, checked directly."""

from __future__ import annotations

import pytest

from baton.ai.control import CANNOT_ANSWER, HANDOFF, SUGGEST, MarkerFilter, clean_suggestions
from baton.ai.fleet import Member, backoff
from baton.ai.providers.base import ChatMessage, ProviderError, error_for_status, normalise_turns
from baton.runtime import Runtime


def run_filter(pieces: list[str]) -> tuple[list[str], MarkerFilter]:
    f = MarkerFilter()
    out = [f.feed(p) for p in pieces]
    out.append(f.flush())
    return [o for o in out if o], f


def test_marker_filter_holds_back_only_possible_markers() -> None:
    shown, f = run_filter(["Hello", " world", "! [", "[handoff: angry]]", " bye"])
    assert "".join(shown) == "Hello world!  bye"
    assert shown[:2] == ["Hello", " world"]  # plain text is not delayed
    assert [(c.name, c.args) for c in f.calls] == [(HANDOFF, {"reason": "angry"})]

    shown, f = run_filter(["a [[sugg", "est: one | two ]", "]", "[[cannot_answer]]"])
    assert "".join(shown) == "a "
    assert [c.name for c in f.calls] == [SUGGEST, CANNOT_ANSWER]
    assert f.calls[0].args == {"suggestions": ["one", "two"]}

    # not a marker: shown as written
    shown, f = run_filter(["see [[wiki]] and a[b]"])
    assert "".join(shown) == "see [[wiki]] and a[b]" and f.calls == []
    shown, _ = run_filter(["unfinished [[ marker"])
    assert "".join(shown) == "unfinished [[ marker"


def test_suggestions_are_cleaned() -> None:
    assert clean_suggestions(["  a  b ", "a b", "", 3, "c", "d", "e"]) == ["a b", "c", "d"]
    assert clean_suggestions("nope") == []
    assert len(clean_suggestions(["x" * 200])[0]) == 80


def test_turns_start_with_the_visitor_and_alternate() -> None:
    turns = normalise_turns(
        [
            ChatMessage("assistant", "welcome"),
            ChatMessage("user", "a"),
            ChatMessage("user", "b"),
            ChatMessage("assistant", "c"),
            ChatMessage("assistant", " "),
        ]
    )
    assert [(t.role, t.content) for t in turns] == [("user", "a\n\nb"), ("assistant", "c")]


@pytest.mark.parametrize(
    ("status", "kind", "retryable"),
    [
        (401, "auth", False),
        (403, "auth", False),
        (400, "bad_request", False),
        (404, "bad_request", False),
        (429, "rate_limited", True),
        (500, "server_error", True),
        (503, "server_error", True),
    ],
)
def test_status_classification(status: int, kind: str, retryable: bool) -> None:
    error = error_for_status(status)
    assert (error.kind, error.retryable, error.summary()) == (kind, retryable, f"{kind} ({status})")


def test_breaker_counts_consecutive_failures_and_resets_on_success() -> None:
    member = Member(
        key="k", source="env", kind="openai", name="n", model="m", provider=None, threshold=2
    )
    from baton.db.base import utcnow

    member.fail(ProviderError("server_error", status=500))
    assert not member.is_open(utcnow()) and member.health.state(2) == "closed"
    member.fail(ProviderError("server_error", status=500))
    assert member.is_open(utcnow()) and member.health.state(2) == "open"
    member.succeed()
    assert not member.is_open(utcnow()) and member.health.consecutive_failures == 0
    assert all(0.15 < backoff(1) < 0.25 for _ in range(20))
    assert backoff(10) <= 4.0 * 1.2


def test_builtin_small_talk_is_not_a_miss() -> None:
    from baton.ai.providers.base import ChatRequest
    from baton.ai.providers.builtin import GREETING, NO_ANSWER, WELCOME, compose

    def ask(question: str) -> tuple[str, bool]:
        text, answer = compose(ChatRequest(system="", messages=[], question=question))
        return text, answer.answered

    assert ask("Hi!") == (GREETING, True)
    assert ask("thanks a lot") == (WELCOME, True)
    assert ask("Where is the moon base?") == (NO_ANSWER, False)  # no passages retrieved


async def test_demo_auto_replies_are_registered_and_idempotent(runtime: Runtime) -> None:
    from sqlalchemy import func, select

    from baton import catalog
    from baton.ai.autoreply import find_rule
    from baton.ai.models import AutoReplyRule
    from baton.ai.seed import DEMO_RULES
    from baton.ai.seed import seed as seed_auto_replies

    catalog.import_models()
    assert seed_auto_replies in catalog.seeders()
    for _ in range(2):
        async with runtime.db.session() as session:
            await seed_auto_replies(session)
            await session.commit()
    async with runtime.db.session() as session:
        count = await session.scalar(select(func.count()).select_from(AutoReplyRule))
        assert count == len(DEMO_RULES)
        rule = await find_rule(session, "What are your opening hours?")
        assert rule is not None and rule.name == "Opening hours"
