"""Small pieces of the AI layer, checked directly."""

from __future__ import annotations

import pytest

from baton.ai.control import CANNOT_ANSWER, HANDOFF, SUGGEST, MarkerFilter, clean_suggestions
from baton.ai.fleet import Member, backoff
from baton.ai.providers.base import ChatMessage, ProviderError, error_for_status, normalise_turns


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
