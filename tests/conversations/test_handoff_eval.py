"""The handoff judgment on the labelled set (tests/conversations/handoff_set.py).

Prints recall on explicit asks, the needless-handoff rate and how often frustration is seen
(run with -s); docs/ai.md quotes these figures.
"""

from __future__ import annotations

from baton.conversations.handoff_judgment import asks_for_person, detect_language, judge
from baton.workspace.service import DEFAULT_HANDOFF_PHRASES
from tests.conversations.handoff_set import ASKS, FRUSTRATED, OTHER


def test_the_set_is_big_enough() -> None:
    assert len(ASKS) + len(FRUSTRATED) + len(OTHER) >= 300


def test_recall_on_asks_and_needless_handoffs() -> None:
    missed = [t for t in ASKS if not judge(t, DEFAULT_HANDOFF_PHRASES).asks_for_person]
    needless = [
        t for t in (*FRUSTRATED, *OTHER) if judge(t, DEFAULT_HANDOFF_PHRASES).asks_for_person
    ]
    seen = [t for t in FRUSTRATED if judge(t, DEFAULT_HANDOFF_PHRASES).frustrated]
    false_frustration = [t for t in OTHER if judge(t, DEFAULT_HANDOFF_PHRASES).frustrated]
    others = len(FRUSTRATED) + len(OTHER)
    print(
        f"\nhandoff eval ({len(ASKS) + others} turns): recall on asks "
        f"{len(ASKS) - len(missed)}/{len(ASKS)} = {1 - len(missed) / len(ASKS):.1%}; needless "
        f"handoffs {len(needless)}/{others} = {len(needless) / others:.1%}; frustration seen "
        f"{len(seen)}/{len(FRUSTRATED)}, on ordinary turns {len(false_frustration)}/{len(OTHER)}"
    )
    assert not missed, missed
    assert len(needless) / others <= 0.05, needless
    assert len(seen) / len(FRUSTRATED) >= 0.9
    assert len(false_frustration) / len(OTHER) <= 0.05, false_frustration


def test_the_inbound_yes_no_is_the_full_judgments() -> None:
    # the inbound path asks without detecting the language: it must answer the same
    for text in (*ASKS, *FRUSTRATED, *OTHER, "", "   ", "?!", "x" * 2001):
        for phrases in (DEFAULT_HANDOFF_PHRASES, ()):
            assert asks_for_person(text, phrases) == judge(text, phrases).asks_for_person, text


def test_clauses_hard_negatives_and_languages() -> None:
    phrases = DEFAULT_HANDOFF_PHRASES
    # the ask hides in the second clause
    assert judge("this bot is useless, let me speak with customer service", phrases).frustrated
    assert judge("this bot is useless, let me speak with customer service", phrases).signal == (
        "request:en"
    )
    assert not judge("I'm a real estate agent", phrases).asks_for_person
    assert not judge("does a human check returns?", phrases).asks_for_person
    assert judge("Ich möchte mit einem Mitarbeiter sprechen", phrases).language == "de"
    assert detect_language("¿Dónde está mi paquete? No llega nunca")[0] == "es"
    assert detect_language("1234")[0] is None
