"""Retrieval over the knowledge base: BM25 over article passages, the same code on PostgreSQL
and SQLite.

Articles are split into passages (paragraphs merged up to ~700 characters); each passage is
indexed with its article's title and tags. The index lives in the process and is rebuilt
when the knowledge base's revision stamp (one row, changed by every edit) differs from the
one it was built from, so every api process sees an edit on its next search.

A search returns the best passages with their BM25 score and a *confidence*: the share of the
question's informative words (weighted by IDF) that the passage contains. Words the knowledge
base has never seen weigh the most, so "can I pay in bitcoin?" does not look answered by the
billing article just because it mentions paying.
"""

from __future__ import annotations

import asyncio
import math
import re
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from baton.knowledge.models import KnowledgeArticle, KnowledgeRevision

K1 = 1.2
B = 0.75
PASSAGE_CHARS = 700

_WORD = re.compile(r"[a-z0-9]+")
STOPWORDS = frozenset(
    """
    a about above after again against all am an and any are aren't as at be because been before
    being below between both but by can can't cannot could couldn't did didn't do does doesn't
    doing don't down during each few for from further had hadn't has hasn't have haven't having
    he her here hers herself him himself his how i if in into is isn't it its itself just let
    me more most my myself no nor not of off on once only or other ought our ours ourselves out
    over own please same she should so some such than that the their theirs them themselves
    then there these they this those through to too under until up very was wasn't we were
    weren't what when where which while who whom why will with won't would you your yours
    yourself yourselves hi hello hey thanks thank ok okay want need know tell get got s t d ll
    m re ve long much many able possible way like
    """.split()  # noqa: SIM905 - a word list reads better as text
)


def stem(word: str) -> str:
    """A light English stemmer: enough to match returns/returned/returning, ship/shipping."""
    if len(word) <= 3 or word.isdigit():
        return word
    for suffix, replacement in (
        ("ies", "y"),
        ("sses", "ss"),
        ("ational", "ate"),
        ("ization", "ize"),
        ("ations", "ate"),
        ("ation", "ate"),
        ("ments", ""),
        ("ment", ""),
        ("ings", ""),
        ("ing", ""),
        ("edly", ""),
        ("ed", ""),
        ("s", ""),
    ):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                return word
            if suffix == "s" and word.endswith(("ches", "shes", "sses", "xes", "zes")):
                suffix = "es"  # boxes -> box, taxes -> tax
            word = word[: -len(suffix)] + replacement
            break
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz":
        word = word[:-1]  # shipp -> ship, stopp -> stop
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]  # charge/charged -> charg
    return word


def terms(text: str) -> list[str]:
    words = _WORD.findall(text.lower().replace("'", ""))
    return [stem(w) for w in words if w not in STOPWORDS and len(w) > 1]


def split_passages(body: str, limit: int = PASSAGE_CHARS) -> list[str]:
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", body) if p.strip()]
    passages: list[str] = []
    current = ""
    for paragraph in paragraphs:
        if current and len(current) + len(paragraph) + 2 > limit:
            passages.append(current)
            current = paragraph
        else:
            current = f"{current}\n\n{paragraph}" if current else paragraph
    if current:
        passages.append(current)
    return passages or [body.strip()]


@dataclass(frozen=True)
class Passage:
    article_id: uuid.UUID
    title: str
    text: str
    index: int  # position within the article


@dataclass(frozen=True)
class Hit:
    passage: Passage
    score: float
    confidence: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "article_id": str(self.passage.article_id),
            "title": self.passage.title,
            "text": self.passage.text,
            "score": round(self.score, 4),
            "confidence": round(self.confidence, 4),
        }


@dataclass
class Index:
    passages: list[Passage] = field(default_factory=list)
    tfs: list[Counter[str]] = field(default_factory=list)
    lengths: list[int] = field(default_factory=list)
    df: Counter[str] = field(default_factory=Counter)

    @classmethod
    def build(cls, articles: list[tuple[uuid.UUID, str, str, list[str]]]) -> Index:
        index = cls()
        for article_id, title, body, tags in articles:
            header = terms(" ".join([title, title, *tags]))  # the title counts double
            for n, text in enumerate(split_passages(body)):
                tf = Counter(header + terms(text))
                index.passages.append(Passage(article_id, title, text, n))
                index.tfs.append(tf)
                index.lengths.append(sum(tf.values()))
                index.df.update(tf.keys())
        return index

    def idf(self, term: str) -> float:
        n = len(self.passages)
        return math.log(1 + (n - self.df.get(term, 0) + 0.5) / (self.df.get(term, 0) + 0.5))

    def search(self, query: str, k: int = 3) -> list[Hit]:
        query_terms = list(dict.fromkeys(terms(query)))
        if not query_terms or not self.passages:
            return []
        avg = sum(self.lengths) / len(self.lengths)
        weights = {t: self.idf(t) for t in query_terms}
        total_weight = sum(weights.values())
        scored: list[Hit] = []
        for passage, tf, length in zip(self.passages, self.tfs, self.lengths, strict=True):
            score = 0.0
            covered = 0.0
            for term, weight in weights.items():
                freq = tf.get(term, 0)
                if freq:
                    covered += weight
                    score += weight * freq * (K1 + 1) / (freq + K1 * (1 - B + B * length / avg))
            if score > 0:
                scored.append(Hit(passage, score, covered / total_weight))
        scored.sort(key=lambda h: (h.score, h.confidence), reverse=True)
        return scored[:k]


async def current_stamp(session: AsyncSession) -> uuid.UUID | None:
    return await session.scalar(select(KnowledgeRevision.stamp).where(KnowledgeRevision.id == 1))


class IndexCache:
    """The process's index and the stamp it was built from; rebuilt when the stamp moves."""

    def __init__(self) -> None:
        self.stamp: uuid.UUID | None = None
        self.index: Index | None = None
        self.lock = asyncio.Lock()

    async def get(self, session: AsyncSession) -> Index:
        stamp = await current_stamp(session)
        if self.index is not None and self.stamp == stamp:
            return self.index
        async with self.lock:
            if self.index is not None and self.stamp == stamp:
                return self.index
            rows = await session.execute(
                select(
                    KnowledgeArticle.id,
                    KnowledgeArticle.title,
                    KnowledgeArticle.body,
                    KnowledgeArticle.tags,
                ).order_by(KnowledgeArticle.id)
            )
            index = Index.build([(r[0], r[1], r[2], list(r[3] or [])) for r in rows.all()])
            self.index, self.stamp = index, stamp
            return index


async def search(session: AsyncSession, cache: IndexCache, query: str, k: int = 3) -> list[Hit]:
    """The ``k`` best passages for ``query``, best first (``cache`` is this process's
    ``runtime.slot(IndexCache)``)."""
    index = await cache.get(session)
    return index.search(query, k)
