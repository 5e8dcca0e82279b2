"""``{{visitor.name}}`` and friends, filled when a response is inserted.

A value we do not have becomes a neutral phrase rather than an empty gap or the raw
placeholder ("Hi there," not "Hi ,"); a placeholder we do not know is left as written so
the agent sees it in the composer and edits it.
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
_PLACEHOLDER = re.compile(r"\{\{\s*([a-zA-Z_]+\.[a-zA-Z_]+)\s*\}\}")


def fill(body: str, values: Mapping[str, str | None]) -> str:
    def one(match: re.Match[str]) -> str:
        key = match.group(1).lower()
        if key not in FALLBACKS:
            return match.group(0)
        value = (values.get(key) or "").strip()
        return value or FALLBACKS[key]

    return _PLACEHOLDER.sub(one, body)
