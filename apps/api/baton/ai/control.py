"""How a model tells us more than text: tools where the provider supports them, a structured
marker in the text otherwise.

Tools (function calling): ``handoff_to_human {reason}``, ``suggest_follow_ups {suggestions}``
and ``cannot_answer {}``. For an OpenAI-compatible server without tool support the provider
is configured with ``use_tools: false``; the prompt then asks for markers at the end of the
answer — ``[[handoff: reason]]``, ``[[suggest: a | b | c]]``, ``[[cannot_answer]]`` — and
``MarkerFilter`` removes them from the stream before the visitor sees a character of them.
"""

from __future__ import annotations

from typing import Any

from baton.ai.providers.base import ToolCall

HANDOFF = "handoff_to_human"
SUGGEST = "suggest_follow_ups"
CANNOT_ANSWER = "cannot_answer"

TOOLS: list[dict[str, Any]] = [
    {
        "name": HANDOFF,
        "description": (
            "Hand the conversation to a human support agent. Use it when the visitor asks for "
            "a person, is upset, or needs something only staff can do (an exception, an "
            "account-specific change)."
        ),
        "parameters": {
            "type": "object",
            "properties": {
                "reason": {"type": "string", "description": "Why a person should take over."}
            },
            "required": ["reason"],
        },
    },
    {
        "name": SUGGEST,
        "description": "Offer the visitor up to three short follow-up questions as buttons.",
        "parameters": {
            "type": "object",
            "properties": {
                "suggestions": {
                    "type": "array",
                    "items": {"type": "string"},
                    "maxItems": 3,
                    "description": "Short follow-ups in the visitor's voice (under 60 chars).",
                }
            },
            "required": ["suggestions"],
        },
    },
    {
        "name": CANNOT_ANSWER,
        "description": (
            "Call this when the knowledge-base passages do not contain the answer, after "
            "telling the visitor so honestly."
        ),
        "parameters": {"type": "object", "properties": {}},
    },
]

TOOLS_GUIDE = (
    "After answering, call suggest_follow_ups with up to three short follow-up questions the "
    "visitor may ask next. If the passages do not contain the answer, say so honestly and "
    "call cannot_answer. If the visitor needs a person, call handoff_to_human with the reason."
)

MARKERS_GUIDE = (
    "At the very end of your answer you may add these markers, each on its own line: "
    "[[suggest: first follow-up | second | third]] with up to three short follow-up "
    "questions; [[cannot_answer]] if the passages do not contain the answer (after saying so "
    "honestly); [[handoff: reason]] if the visitor needs a person."
)

OPEN, CLOSE = "[[", "]]"
MAX_MARKER = 400


def parse_marker(body: str) -> ToolCall | None:
    name, _, rest = body.partition(":")
    name = name.strip().lower()
    if name == "handoff":
        return ToolCall(HANDOFF, {"reason": rest.strip() or "requested by the assistant"})
    if name == "suggest":
        return ToolCall(SUGGEST, {"suggestions": [s.strip() for s in rest.split("|")]})
    if name in ("cannot_answer", "no_answer"):
        return ToolCall(CANNOT_ANSWER, {})
    return None


class MarkerFilter:
    """Strips ``[[...]]`` markers from a stream of text pieces, holding back only what might
    be the start of one."""

    def __init__(self) -> None:
        self.pending = ""
        self.calls: list[ToolCall] = []

    def feed(self, text: str) -> str:
        self.pending += text
        out: list[str] = []
        while self.pending:
            start = self.pending.find(OPEN)
            if start == -1:
                # keep a trailing "[" back: it may be half of "[["
                if self.pending.endswith(OPEN[0]):
                    out.append(self.pending[:-1])
                    self.pending = OPEN[0]
                else:
                    out.append(self.pending)
                    self.pending = ""
                break
            out.append(self.pending[:start])
            end = self.pending.find(CLOSE, start + len(OPEN))
            if end == -1:
                if len(self.pending) - start > MAX_MARKER:  # not a marker after all
                    out.append(self.pending[start:])
                    self.pending = ""
                else:
                    self.pending = self.pending[start:]
                break
            call = parse_marker(self.pending[start + len(OPEN) : end])
            if call is None:
                out.append(self.pending[start : end + len(CLOSE)])
            else:
                self.calls.append(call)
            self.pending = self.pending[end + len(CLOSE) :]
        return "".join(out)

    def flush(self) -> str:
        rest, self.pending = self.pending, ""
        return rest


def clean_suggestions(values: Any, limit: int = 3) -> list[str]:
    out: list[str] = []
    if not isinstance(values, list):
        return out
    for value in values:
        if isinstance(value, str):
            text = " ".join(value.split())[:80]
            if text and text not in out:
                out.append(text)
        if len(out) == limit:
            break
    return out
