"""Does a visitor's message ask for a person? Trigger on a request, not on a word.

"help me", "agent!" or "I want to talk to a human about my refund" ask for a person;
"can you help me with my invoice?" or "I am an agent for a small shop" are for the AI.
The message is normalised, polite filler is peeled off both ends, and the rest must be one
of the workspace's phrases or a whole-sentence request for a person.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

_FILLER = (
    "please",
    "pls",
    "plz",
    "now",
    "right now",
    "asap",
    "thanks",
    "thank you",
    "hi",
    "hello",
    "hey",
    "ok",
    "okay",
    "just",
    "can i",
    "could i",
    "i",
    "oh",
    "um",
    "uh",
    "sorry",
    "so",
)
_PERSON = (
    r"(?:a |an |the |some |your )?(?:real |live |actual |human )?"
    r"(?:human(?: being)?|person|agent|representative|rep|operator|somebody|someone|"
    r"staff(?: member)?|support(?: team| agent| person)?|customer (?:service|support)|"
    r"people|man|woman|employee)"
)
_TAIL = r"(?: (?:about|regarding|re|for|because|concerning|with|on)\b.*)?"
_REQUESTS = [
    rf"(?:i )?(?:want|need|would like|d like|wanna|demand|require)(?: to)? (?:talk|speak|chat) (?:to|with) {_PERSON}{_TAIL}",
    rf"(?:i )?(?:want|need|would like|d like|wanna|demand|require)(?: to have| to get)? {_PERSON}{_TAIL}",
    rf"(?:can|could|may|can t|cant) (?:i|we|you) (?:please )?(?:talk|speak|chat) (?:to|with) {_PERSON}{_TAIL}",
    rf"(?:can|could) (?:you|i) (?:please )?(?:connect|transfer|put) (?:me )?(?:to|with|through to) {_PERSON}{_TAIL}",
    rf"(?:please )?(?:connect|transfer|put|pass|forward) me (?:to|with|through to|over to) {_PERSON}{_TAIL}",
    rf"(?:let me |i will |i ll )?(?:talk|speak|chat) (?:to|with) {_PERSON}{_TAIL}",
    rf"(?:get|give|find) me {_PERSON}{_TAIL}",
    rf"(?:is there|are there|is anyone|is somebody|is someone) {_PERSON}?(?: (?:there|here|available|around|online))?",
    rf"{_PERSON} (?:please|now|asap|pls)",
]
_REQUEST_RE = re.compile(rf"^(?:{'|'.join(_REQUESTS)})$")


def normalise(text: str) -> str:
    """Lower-case, strip accents and punctuation, collapse whitespace."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = text.replace("'", " ").replace("\u2019", " ")
    text = re.sub(r"[^\w\s]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def _peel_filler(text: str) -> str:
    changed = True
    while changed and text:
        changed = False
        for filler in sorted(_FILLER, key=len, reverse=True):
            if text == filler:
                return ""
            if text.startswith(filler + " "):
                text, changed = text[len(filler) + 1 :], True
            if text.endswith(" " + filler):
                text, changed = text[: -len(filler) - 1], True
    return text


@lru_cache(maxsize=64)
def _phrase_set(phrases: tuple[str, ...]) -> frozenset[str]:
    return frozenset(p for p in (normalise(x) for x in phrases) if p)


def asks_for_person(text: str, phrases: Iterable[str]) -> bool:
    core = normalise(text)
    if not core or len(core) > 300:
        return False
    phrase_set = _phrase_set(tuple(phrases))
    if core in phrase_set:
        return True
    peeled = _peel_filler(core)
    if not peeled:
        return False
    return peeled in phrase_set or bool(_REQUEST_RE.match(peeled))
