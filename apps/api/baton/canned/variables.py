"""``{{visitor.name}}`` and friends, filled when a response is inserted (and in the widget's
welcome message, ``baton.widget.welcome``).

A value we do not have becomes a neutral phrase rather than an empty gap or the raw
placeholder ("Hi there," not "Hi ,"); ``{{visitor.name | friend}}`` names its own phrase,
and an empty one (``{{visitor.name |}}``) drops the placeholder together with the space
before it ("Hi!" not "Hi !"). A placeholder we do not know is left as written so the agent
sees it in the composer and edits it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

VARIABLES = ("visitor.name", "visitor.email", "agent.name", "conversation.id")
FALLBACKS: Mapping[str, str] = {
    "visitor.name": "there",
    "visitor.email": "your email address",
    "agent.name": "our team",
    "conversation.id": "your conversation",
}
_PLACEHOLDER = re.compile(r"\{\{\s*([a-zA-Z_]+\.[a-zA-Z_]+)\s*(?:\|([^{}]*))?\}\}")
_GONE = "\x00"  # marks a dropped placeholder until the space around it is tidied
_SPACE_BEFORE_GONE = re.compile(r"[ \t]*\x00(?=[,.!?;:)]|$)|\x00")
_DOUBLE_SPACE = re.compile(r"(?<=\S) {2,}(?=\S)")


def fill(body: str, values: Mapping[str, str | None]) -> str:
    def one(match: re.Match[str]) -> str:
        key = match.group(1).lower()
        if key not in FALLBACKS:
            return match.group(0)
        value = (values.get(key) or "").strip()
        if value:
            return value
        own = match.group(2)
        if own is None:
            return FALLBACKS[key]
        return own.strip() or _GONE

    filled = _PLACEHOLDER.sub(one, body)
    if _GONE not in filled:
        return filled
    return _DOUBLE_SPACE.sub(" ", _SPACE_BEFORE_GONE.sub("", filled)).lstrip(" \t")
