"""The built-in responder: retrieval, not generation. It works with no API key at all.

It answers from the knowledge-base passages retrieved for the question (weighted BM25, see
``knowledge.search``): the best passage, quoted as it stands and labelled as coming from the
help center with its article's title, streamed a few words at a time. It never writes text
of its own about the question: when the best passage does not cover the question well
enough (the calibrated ``ANSWER_CONFIDENCE``) it says so honestly and offers a person. It
cannot see images: to a question that carries one it says so and offers a person (and
answers the words next to the image when the knowledge base covers them, with a note). It is
the default when no provider is configured, and the last link of every fleet.
"""

from __future__ import annotations

import asyncio
import dataclasses
import re
from collections.abc import AsyncIterator

from baton.ai.person_offer import (
    CANNOT_OPEN_FILES,
    CANNOT_SEE_IMAGES,
    IMAGE_NOTE,
    WAITING_CANNOT_OPEN_FILES,
    WAITING_CANNOT_SEE_IMAGES,
    WAITING_NO_ANSWER,
)
from baton.ai.providers.base import Answer, ChatRequest, Event, Provider, TextDelta
from baton.knowledge.search import ANSWER_CONFIDENCE, stem, terms

NO_ANSWER = (
    "I couldn't find an answer to that in our help center — would you like to talk to a person?"
)
SOURCE_LABEL = "From our help center:"
TALK_TO_PERSON = "Talk to a person"
CONFIDENCE_THRESHOLD = ANSWER_CONFIDENCE
PACE_SECONDS = 0.01  # between streamed pieces: a natural reading pace, still fast

GREETING = "Hello! What can I help you with?"
WELCOME = "You're welcome! Is there anything else I can help with?"
_THANKS = re.compile(r"\b(thanks|thank you|thx|cheers|ty)\b", re.IGNORECASE)
_PIECES = re.compile(r"\S+\s*")
_SMALL_TALK = frozenset(
    stem(w)
    for w in [
        "lot",
        "great",
        "perfect",
        "awesome",
        "good",
        "cool",
        "nice",
        "bye",
        "goodbye",
        "morning",
        "afternoon",
        "evening",
        "there",
        "everyone",
        "all",
        "folks",
    ]
)


def small_talk(question: str) -> bool:
    """Nothing to look up: a greeting or thanks ("hi", "thanks a lot!")."""
    return not [t for t in terms(question) if t not in _SMALL_TALK]


def compose(request: ChatRequest) -> tuple[str, Answer]:
    if request.question_images:
        return _with_images(request)
    if request.question_files and not request.question.strip():  # files only, no words
        if request.waiting:
            return WAITING_CANNOT_OPEN_FILES, Answer(False, 0.0, [], [])
        return CANNOT_OPEN_FILES, Answer(False, 0.0, [], [TALK_TO_PERSON])
    if small_talk(request.question):
        # nothing to look up ("hi", "thanks!"): small talk, not a question we failed
        text = WELCOME if _THANKS.search(request.question) else GREETING
        return text, Answer(True, 1.0, [], [])
    hits = request.passages
    if not hits or hits[0].confidence < CONFIDENCE_THRESHOLD:
        confidence = hits[0].confidence if hits else 0.0
        if request.waiting:  # already queued: no second offer of a person
            return WAITING_NO_ANSWER, Answer(False, confidence, [], [])
        return NO_ANSWER, Answer(False, confidence, [], [TALK_TO_PERSON])
    best = hits[0]
    title = best.passage.title
    text = f"{best.passage.text}\n\n{SOURCE_LABEL} {title}"
    related: list[str] = []
    for hit in hits[1:]:
        other = hit.passage.title
        if (
            hit.confidence >= CONFIDENCE_THRESHOLD
            and other != title
            and other not in related
            and len(other) <= 80
        ):
            related.append(other)
    sources = [{"article_id": str(best.passage.article_id), "title": title}]
    return text, Answer(True, best.confidence, sources, related[:2])


def _with_images(request: ChatRequest) -> tuple[str, Answer]:
    """The question carries images it cannot see: answer the words when the knowledge base
    covers them (with a note), else say so; a person is offered either way."""
    person = [] if request.waiting else [TALK_TO_PERSON]
    hits = request.passages
    words = request.question.strip() and not small_talk(request.question)
    if words and hits and hits[0].confidence >= CONFIDENCE_THRESHOLD:
        text, answer = compose(dataclasses.replace(request, question_images=0))
        return f"{text}\n\n{IMAGE_NOTE}", dataclasses.replace(answer, suggestions=person)
    confidence = hits[0].confidence if hits else 0.0
    if request.waiting:
        return WAITING_CANNOT_SEE_IMAGES, Answer(False, confidence, [], [])
    return CANNOT_SEE_IMAGES, Answer(False, confidence, [], person)


class BuiltinProvider(Provider):
    kind = "builtin"

    def __init__(self, *, name: str = "Knowledge base", model: str = "bm25") -> None:
        super().__init__(name=name, model=model)

    async def stream(self, request: ChatRequest) -> AsyncIterator[Event]:
        text, answer = compose(request)
        for n, piece in enumerate(_PIECES.findall(text)):
            if n:
                await asyncio.sleep(PACE_SECONDS)
            yield TextDelta(piece)
        yield answer
