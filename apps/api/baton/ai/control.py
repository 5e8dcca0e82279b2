"""How a model tells us more than text: tools where the provider supports them, a structured
marker in the text otherwise.

Tools (function calling, declared in ``baton.tools.registry``): ``handoff_to_human {reason}``,
``suggest_follow_ups {suggestions}`` and ``cannot_answer {}``, plus the workspace's own tools
(``get_order_status``...; tool-capable providers only). For an OpenAI-compatible server without tool support the provider
is configured with ``use_tools: false``; the prompt then asks for markers at the end of the
answer — ``[[handoff: reason]]``, ``[[suggest: a | b | c]]``, ``[[cannot_answer]]`` — and
``MarkerFilter`` removes them from the stream before the visitor sees a character of them.
"""

from __future__ import annotations

from typing import Any

from baton.ai.providers.base import ToolCall
from baton.tools.registry import CANNOT_ANSWER, HANDOFF, SUGGEST

# the internal tools are declared in the tool registry (baton.tools.registry)
__all__ = ["CANNOT_ANSWER", "HANDOFF", "SUGGEST", "MarkerFilter", "clean_suggestions"]

TOOLS_GUIDE = (
    "After answering, call suggest_follow_ups with up to three short follow-up questions the "
    "visitor may ask next. If the passages do not contain the answer, say so honestly and "
    "call cannot_answer. If the visitor needs a person, call handoff_to_human with the reason. "
    "Use the other tools when the visitor's request needs them (to look up an order, for "
    "example) and answer from their results; a tool that changes something is proposed to a "
    "person from the team, who approves it: tell the visitor so, and never claim it is done."
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
