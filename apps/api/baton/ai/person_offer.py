"""When the AI offers a person, and what it says to someone who is already waiting for one.

The visitor decides: the AI offers a person (the widget's one "Talk to a person" control) when
it cannot answer, when the visitor is frustrated, or when the same question comes back (the
loop signal); nobody is queued until the visitor accepts. A visitor already in the queue is
never offered a person again: asking once more gets one honest line, not a new offer.
"""

from __future__ import annotations

from dataclasses import dataclass

from baton.ai.providers.base import ChatMessage
from baton.conversations.handoff_judgment import judge
from baton.knowledge.search import terms

OFFER = "I'm sorry I haven't been able to help. Would you like to talk to a person?"
ALREADY_WAITING = (
    "You're already in the queue: a person from the team will pick this up as soon as "
    "someone is available. I can keep helping meanwhile."
)
WAITING_NO_ANSWER = (
    "I couldn't find an answer to that in our help center. A person from the team will pick "
    "this up as soon as someone is available."
)
# the built-in responder cannot see images: it says so, and offers a person (or, to someone
# already waiting, says a person will look)
CANNOT_SEE_IMAGES = (
    "I can't see images, so I can't tell what's in the one you sent — would you like to talk "
    "to a person who can look at it?"
)
WAITING_CANNOT_SEE_IMAGES = (
    "I can't see images, but a person from the team will look at it as soon as someone is "
    "available."
)
CANNOT_OPEN_FILES = (
    "I can't open files, so I can't tell what's in the one you sent — would you like to talk "
    "to a person who can?"
)
WAITING_CANNOT_OPEN_FILES = (
    "I can't open files, but a person from the team will look at it as soon as someone is "
    "available."
)
IMAGE_NOTE = "(I can't see images, so this answer is from your words only.)"
# the built-in no-answer lines (kept here so the loop check needs no import cycle)
MISSES = frozenset(
    {
        OFFER,
        WAITING_NO_ANSWER,
        CANNOT_SEE_IMAGES,
        WAITING_CANNOT_SEE_IMAGES,
        CANNOT_OPEN_FILES,
        WAITING_CANNOT_OPEN_FILES,
        "I couldn't find an answer to that in our help center — would you like to talk to a "
        "person?",
    }
)
REPEAT_OVERLAP = 0.8  # share of informative words two questions share to count as one


@dataclass(frozen=True)
class Situation:
    waiting: bool  # already queued for a person
    asks_for_person: bool
    frustrated: bool
    repeated: bool  # the visitor asks again what they asked just before
    after_miss: bool = False  # ... and the reply to it was "I couldn't find an answer"


def _same_question(a: str, b: str) -> bool:
    x, y = set(terms(a)), set(terms(b))
    if not x or not y:
        return a.strip().lower() == b.strip().lower() and bool(a.strip())
    return len(x & y) / len(x | y) >= REPEAT_OVERLAP


def situation(
    question: str, turns: list[ChatMessage], *, status: str, phrases: list[str]
) -> Situation:
    """Pure: from the question, the history already loaded for the prompt, and the status."""
    judgment = judge(question, phrases)
    earlier = [t.content for t in turns[:-1] if t.role == "user"]
    repeated = bool(earlier) and _same_question(earlier[-1], question)
    replies = [t.content for t in turns[:-1] if t.role == "assistant"]
    after_miss = bool(replies) and replies[-1].strip() in MISSES
    return Situation(
        status == "waiting", judgment.asks_for_person, judgment.frustrated, repeated, after_miss
    )


def direct_reply(s: Situation, *, answerable: bool) -> str | None:
    """A reply that needs no model, or None to answer as usual (``answerable``: retrieval
    found a confident passage). A frustrated visitor, or one asking the same again, still
    gets the answer when there is one, with a person offered next to it."""
    if s.waiting:
        return ALREADY_WAITING if s.asks_for_person else None
    if (s.repeated and s.after_miss) or (s.frustrated and not answerable):
        return OFFER
    return None


def offers_person(s: Situation) -> bool:
    """Offer a person next to the answer."""
    return not s.waiting and (s.frustrated or s.repeated)
