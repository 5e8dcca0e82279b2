"""Retrieval quality on the shipped evaluation set (tests/knowledge/eval_set.py).

Prints top-1 accuracy, the answer rate on answerable questions and the false-answer rate on
unanswerable ones (run with -s to see them); docs/ai.md quotes these figures.
"""

from __future__ import annotations

import uuid

from baton.knowledge.search import ANSWER_CONFIDENCE, Index
from baton.knowledge.seed import DEMO_ARTICLES
from tests.knowledge.eval_set import ANSWERABLE, UNANSWERABLE


def demo_index() -> Index:
    return Index.build([(uuid.uuid4(), t, body, tags) for t, tags, body in DEMO_ARTICLES])


def test_the_set_is_big_enough_and_names_real_articles() -> None:
    titles = {title for title, _, _ in DEMO_ARTICLES}
    assert len(ANSWERABLE) >= 150 and len(UNANSWERABLE) >= 50
    assert {article for _, article in ANSWERABLE} == titles  # every article is asked about
    assert len({q for q, _ in ANSWERABLE}) == len(ANSWERABLE)


def test_retrieval_accuracy_answer_rate_and_false_answers() -> None:
    index = demo_index()
    top1 = answered = 0
    misses: list[str] = []
    for question, article in ANSWERABLE:
        hits = index.search(question)
        right = bool(hits) and hits[0].passage.title == article
        top1 += right
        answered += right and hits[0].confidence >= ANSWER_CONFIDENCE
        if not right:
            misses.append(f"{question!r} -> {hits[0].passage.title if hits else None}")
    false_answers = [
        q for q in UNANSWERABLE if (h := index.search(q)) and h[0].confidence >= ANSWER_CONFIDENCE
    ]
    n, u = len(ANSWERABLE), len(UNANSWERABLE)
    print(
        f"\nretrieval eval: top-1 {top1}/{n} = {top1 / n:.1%}; answer rate {answered}/{n} = "
        f"{answered / n:.1%}; false answers {len(false_answers)}/{u} = {len(false_answers) / u:.1%}"
    )
    assert top1 / n >= 0.95, misses
    assert answered / n >= 0.95
    assert len(false_answers) / u <= 0.05, false_answers


def test_the_two_questions_from_the_issue_are_answered_from_the_right_article() -> None:
    index = demo_index()
    for question, article in (
        ("What is your return policy?", "Returns and refunds"),
        ("Can I cancel my order?", "Changing or cancelling an order"),
    ):
        best = index.search(question)[0]
        assert best.passage.title == article and best.answers, (question, best.confidence)


def test_typos_and_other_languages_reach_the_article() -> None:
    index = demo_index()
    assert index.query_terms("forgot pasword") == index.query_terms("forgot password")
    assert index.query_terms("¿Cómo cancelo mi pedido?") == index.query_terms("cancel my order")
    # a word the knowledge base never saw is not bent onto a near one
    assert "bitcoin" in index.query_terms("Can I pay in bitcoin?")
