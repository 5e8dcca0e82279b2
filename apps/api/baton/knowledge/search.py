"""Retrieval over the knowledge base: weighted BM25 over article passages, the same code on
PostgreSQL and SQLite.

Articles are split into passages (paragraphs merged up to ~700 characters); each passage is
indexed with its article's title (weight 3) and tags (weight 2) as extra fields next to its
own text (weight 1). Words go through one pipeline on both sides (``knowledge.lexicon``):
accents dropped, multi-word expressions and synonyms folded onto one word, Spanish, French,
German and Portuguese support words mapped to English, and Snowball stemming (PyStemmer).
A query word the knowledge base has never seen is matched to a known word one or two edits
away ("pasword", "shiping"), so typos still find the article.

The index lives in the process and is rebuilt when the knowledge base's revision stamp (one
row, changed by every edit) differs from the one it was built from, so every api process sees
an edit on its next search.

A search returns the best passages with their BM25 score and a *confidence*: the share of the
question's informative words (weighted by IDF) that the passage or its title and tags
contain. Words the knowledge base has never seen weigh the most, so "can I pay in bitcoin?"
does not look answered by the billing article just because it mentions paying. The answer
cut-off (``ANSWER_CONFIDENCE``) is calibrated on the evaluation set in
tests/knowledge/eval_set.py (see docs/ai.md).
"""

from __future__ import annotations

import asyncio
import math
import re
import uuid
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import Stemmer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from baton.knowledge.lexicon import FOREIGN, STOPWORDS, SYNONYMS, fold_phrases, normalise
from baton.knowledge.models import KnowledgeArticle, KnowledgeRevision

K1 = 1.2
B = 0.75
PASSAGE_CHARS = 700
TITLE_WEIGHT = 3.0
TAG_WEIGHT = 2.0
BODY_WEIGHT = 1.0
# Calibrated on tests/knowledge/eval_set.py: the lowest cut-off that keeps false answers on
# unanswerable questions at or under 5% (see docs/ai.md for the figures).
ANSWER_CONFIDENCE = 0.45

_WORD = re.compile(r"[a-z0-9]+")
_ENGLISH = Stemmer.Stemmer("english")
_FOREIGN_STEMMERS = tuple(
    Stemmer.Stemmer(language) for language in ("spanish", "french", "german", "portuguese")
)
# the foreign lexicon keyed by each language's Snowball stem too ("devoluciones" -> "devolucion")
_FOREIGN_STEMS: dict[str, str] = {}
for _word, _english in FOREIGN.items():
    for _stemmer in _FOREIGN_STEMMERS:
        _FOREIGN_STEMS.setdefault(_stemmer.stemWord(_word), _english)


def _snowball(word: str) -> str:
    return word if word.isdigit() else str(_ENGLISH.stemWord(word))


# synonyms apply to every inflection too: "updating" folds like "update"
_STEM_SYNONYMS = {
    _snowball(word): _snowball(canonical)
    for word, canonical in SYNONYMS.items()
    if " " not in canonical
}


@lru_cache(maxsize=8192)
def stem(word: str) -> str:
    """Snowball (English) stem of one normalised word, synonyms folded."""
    stemmed = _snowball(word)
    return _STEM_SYNONYMS.get(stemmed, stemmed)


def _words(text: str) -> list[str]:
    """Normalised words with phrases folded and synonyms and foreign words mapped (unstemmed)."""
    out: list[str] = []
    for word in _WORD.findall(fold_phrases(normalise(text))):
        mapped = SYNONYMS.get(word) or FOREIGN.get(word)
        if mapped is not None:
            out.extend(mapped.split())
        else:
            out.append(word)
    return out


def terms(text: str) -> list[str]:
    """The index terms of ``text``: informative words, mapped and stemmed."""
    return [stem(w) for w in _words(text) if w not in STOPWORDS and len(w) > 1]


def _edits(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance, giving up (limit + 1) past ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        row = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = ca != cb
            row[j] = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                row[j] = min(row[j], prev2[j - 2] + 1)
        if min(row) > limit:
            return limit + 1
        prev2, prev = prev, row
    return prev[-1]


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

    @property
    def answers(self) -> bool:
        """Confident enough to answer from (the calibrated cut-off)."""
        return self.confidence >= ANSWER_CONFIDENCE

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
    tfs: list[dict[str, float]] = field(default_factory=list)
    lengths: list[float] = field(default_factory=list)
    df: Counter[str] = field(default_factory=Counter)
    # unstemmed known words -> stem, for typo correction
    vocabulary: dict[str, str] = field(default_factory=dict)
    _corrections: dict[str, str | None] = field(default_factory=dict)

    @classmethod
    def build(cls, articles: list[tuple[uuid.UUID, str, str, list[str]]]) -> Index:
        index = cls()
        for article_id, title, body, tags in articles:
            header: dict[str, float] = {}
            for weight, text in ((TITLE_WEIGHT, title), (TAG_WEIGHT, " ".join(tags))):
                for term in terms(text):
                    header[term] = header.get(term, 0.0) + weight
            for n, text in enumerate(split_passages(body)):
                tf = dict(header)
                for term in terms(text):
                    tf[term] = tf.get(term, 0.0) + BODY_WEIGHT
                index.passages.append(Passage(article_id, title, text, n))
                index.tfs.append(tf)
                index.lengths.append(sum(tf.values()))
                index.df.update(tf.keys())
            for word in _words(" ".join([title, body, *tags])):
                if word not in STOPWORDS and len(word) > 1 and not word.isdigit():
                    index.vocabulary.setdefault(word, stem(word))
        return index

    def idf(self, term: str) -> float:
        n = len(self.passages)
        return math.log(1 + (n - self.df.get(term, 0) + 0.5) / (self.df.get(term, 0) + 0.5))

    def _correct(self, word: str) -> str | None:
        """A known stem for an unknown word: a foreign word's stem, or a typo's neighbour."""
        if word in self._corrections:
            return self._corrections[word]
        found: str | None = None
        for stemmer in _FOREIGN_STEMMERS:
            english = _FOREIGN_STEMS.get(stemmer.stemWord(word))
            if english is not None:
                found = stem(english.split()[0])
                break
        if found is None and len(word) >= 4 and not word.isdigit():
            limit = 1 if len(word) < 8 else 2
            best = (limit + 1, "")
            for known, known_stem in self.vocabulary.items():
                distance = _edits(word, known, limit)
                if distance < best[0] or (distance == best[0] and known_stem < best[1]):
                    best = (distance, known_stem)
            if best[0] <= limit:
                found = best[1]
        self._corrections[word] = found
        return found

    def query_terms(self, query: str) -> list[str]:
        out: list[str] = []
        for word in _words(query):
            if word in STOPWORDS or len(word) <= 1:
                continue
            term = stem(word)
            if term not in self.df:
                term = self._correct(word) or term
            out.append(term)
        return list(dict.fromkeys(out))

    def search(self, query: str, k: int = 3) -> list[Hit]:
        query_terms = self.query_terms(query)
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
                freq = tf.get(term, 0.0)
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
