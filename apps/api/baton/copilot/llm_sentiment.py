"""Sentiment from the configured LLM: one cheap classification per visitor message.

The fleet's LLM members (OpenAI-compatible, Anthropic, Gemini; never the built-in responder)
are asked, in priority order, through the same provider adapters as the replies, with no
tools and a tiny answer: ``{"sentiment": <-1..1>}``. The first member that answers with a
readable score wins; a provider error, a breaker that is open, an unreadable answer or the
overall deadline (``DEADLINE_SECONDS``) moves on, and when none answers the caller keeps the
offline lexicon score. Provider health is not recorded from here: a classification is a side
request and must not open the breaker the visitor's replies depend on.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from dataclasses import dataclass

from baton.ai.fleet import Member
from baton.ai.providers.base import ChatMessage, ChatRequest, ProviderError, TextDelta
from baton.db.base import utcnow

log = logging.getLogger(__name__)

DEADLINE_SECONDS = 6.0  # for every attempt together
MAX_CHARS = 2000  # of the message sent to the model
PROMPT = (
    "You classify the sentiment of one message a visitor wrote to customer support. Answer "
    'with JSON only, no other text: {"sentiment": S} where S is a number from -1 (furious, '
    "insulting, desperate) through 0 (neutral, a plain question or a factual complaint) to 1 "
    "(delighted, grateful). Judge the visitor's mood, in any language, not the topic."
)
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


@dataclass(frozen=True)
class Classified:
    score: float
    provider: str  # the member's name
    kind: str


def parse(text: str) -> float | None:
    """The score in the model's answer: the JSON object asked for, or failing that a bare
    number; None when there is neither or it is outside -1..1."""
    text = text.strip()
    value: object = None
    start, end = text.find("{"), text.rfind("}")
    if start != -1 and end > start:
        try:
            found = json.loads(text[start : end + 1])
        except ValueError:
            found = None
        if isinstance(found, dict):
            value = found.get("sentiment", found.get("score"))
    if value is None:
        match = _NUMBER.search(text)
        value = match.group(0) if match else None
    try:
        score = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if not -1.0 <= score <= 1.0:
        return None
    return round(score, 2)


def request_for(text: str) -> ChatRequest:
    clipped = text[:MAX_CHARS]
    return ChatRequest(
        system=PROMPT,
        messages=[ChatMessage("user", clipped)],
        question=clipped,
        use_tools=False,
        max_tokens=20,
        tools=(),
    )


async def _ask(member: Member, request: ChatRequest) -> str:
    assert member.provider is not None
    parts: list[str] = []
    stream = member.provider.stream(request)
    try:
        async for event in stream:
            if isinstance(event, TextDelta):
                parts.append(event.text)
    finally:
        await stream.aclose()  # type: ignore[attr-defined]
    return "".join(parts)


async def classify(
    members: list[Member], text: str, *, deadline: float = DEADLINE_SECONDS
) -> Classified | None:
    """The first LLM member's score for ``text``, or None (keep the offline score)."""
    llms = [m for m in members if m.kind != "builtin"]
    if not llms or not text.strip():
        return None
    request = request_for(text)
    loop = asyncio.get_running_loop()
    ends = loop.time() + deadline
    for member in llms:
        left = ends - loop.time()
        if left <= 0:
            break
        if member.provider is None or member.unusable is not None or member.is_open(utcnow()):
            continue
        try:
            async with asyncio.timeout(min(left, member.timeout)):
                answer = await _ask(member, request)
        except TimeoutError:
            log.info("llm sentiment timed out", extra={"provider": member.name})
            continue
        except ProviderError as exc:
            log.info(
                "llm sentiment failed", extra={"provider": member.name, "error": exc.summary()}
            )
            continue
        except Exception as exc:  # a provider bug must not lose the message's score
            log.warning(
                "llm sentiment raised %s", type(exc).__name__, extra={"provider": member.name}
            )
            continue
        score = parse(answer)
        if score is not None:
            return Classified(score, member.name, member.kind)
        log.info("llm sentiment unreadable", extra={"provider": member.name})
    return None
