"""The provider interface: one ``stream(request)`` that yields events, and one error type.

Every provider (OpenAI, Anthropic, Gemini through their official SDKs, and the built-in
knowledge-base responder) turns its own stream into these events:

- ``TextDelta`` — a piece of the answer, in order;
- ``ToolCall`` — the model asked for a human, proposed follow-ups, said it cannot answer, or
  called a workspace tool (its result comes back in the next request's ``rounds``);
- ``Usage`` — token counts, when the provider reports them;
- ``Answer`` — the built-in responder's verdict on its own answer (confidence, sources).

Failures are raised as ``ProviderError`` with a classified ``kind`` (never the provider's
message text, which may echo part of a key) and whether a retry may help.
"""

from __future__ import annotations

import abc
import base64
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Literal

from baton.knowledge.search import Hit
from baton.tools.registry import INTERNAL_SPECS, ToolSpec


@dataclass(frozen=True)
class ImageInput:
    """An image the visitor sent, already bounded for the providers (``ai.vision``)."""

    media_type: str  # image/png | image/jpeg | image/webp
    data: bytes
    name: str = ""

    def base64(self) -> str:
        return base64.b64encode(self.data).decode("ascii")

    def data_url(self) -> str:
        return f"data:{self.media_type};base64,{self.base64()}"


@dataclass(frozen=True)
class ChatMessage:
    role: Literal["user", "assistant"]
    content: str
    images: tuple[ImageInput, ...] = ()  # only on the visitor's turns, for vision providers


@dataclass(frozen=True)
class ToolCall:
    name: str
    args: dict[str, Any]
    call_id: str = ""  # the provider's id for the call (OpenAI, Anthropic), echoed back


@dataclass(frozen=True)
class ToolRound:
    """One exchange of a reply: the model's text and tool calls, and the results it gets."""

    text: str
    calls: tuple[ToolCall, ...]
    results: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class ChatRequest:
    system: str
    messages: list[ChatMessage]  # oldest first; the last one is the visitor's question
    question: str
    passages: list[Hit] = field(default_factory=list)
    use_tools: bool = True
    max_tokens: int = 800
    waiting: bool = False  # the visitor is already queued for a person: offer none
    tools: tuple[ToolSpec, ...] = INTERNAL_SPECS  # from the tool registry
    rounds: tuple[ToolRound, ...] = ()  # tool calls already answered in this reply
    # images on the visitor's question (counted even when none could be sent): the built-in
    # responder says it cannot see them
    question_images: int = 0
    question_files: int = 0  # other files on it (names only, for every provider)

    @property
    def has_images(self) -> bool:
        """The prompt carries images: providers without vision are skipped (``fleet.run``)."""
        return any(m.images for m in self.messages)

    # set (a phone region, e.g. "US"): personal data in the conversation and in tool results
    # is masked before it goes to a provider (ai/prompt.py ``masked``, kit/redact.py)
    pii_region: str | None = None


@dataclass(frozen=True)
class TextDelta:
    text: str


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int | None
    completion_tokens: int | None


@dataclass(frozen=True)
class Answer:
    answered: bool
    confidence: float
    sources: list[dict[str, Any]]
    suggestions: list[str]


Event = TextDelta | ToolCall | Usage | Answer


class ProviderError(Exception):
    """A classified failure: ``kind`` is one of auth, rate_limited, server_error, bad_request,
    timeout, first_token_timeout, connection, protocol, key_unreadable, error."""

    def __init__(self, kind: str, *, status: int | None = None, retryable: bool = False) -> None:
        super().__init__(kind if status is None else f"{kind} ({status})")
        self.kind = kind
        self.status = status
        self.retryable = retryable

    def summary(self) -> str:
        return self.kind if self.status is None else f"{self.kind} ({self.status})"


def error_for_status(status: int | None) -> ProviderError:
    if status in (401, 403):
        return ProviderError("auth", status=status)
    if status == 429:
        return ProviderError("rate_limited", status=status, retryable=True)
    if status is not None and (status >= 500 or status in (408, 409)):
        return ProviderError("server_error", status=status, retryable=True)
    if status is not None and 400 <= status < 500:
        return ProviderError("bad_request", status=status)
    return ProviderError("error", status=status, retryable=True)


def normalise_turns(messages: list[ChatMessage]) -> list[ChatMessage]:
    """Start with the visitor and alternate roles (Anthropic and Gemini require it)."""
    out: list[ChatMessage] = []
    for m in messages:
        if not m.content.strip() and not m.images:
            continue
        if not out and m.role != "user":
            continue
        if out and out[-1].role == m.role:
            previous = out[-1]
            text = "\n\n".join(t for t in (previous.content, m.content) if t.strip())
            out[-1] = ChatMessage(m.role, text, previous.images + m.images)
        else:
            out.append(m)
    return out


class Provider(abc.ABC):
    kind: str = ""

    def __init__(self, *, name: str, model: str) -> None:
        self.name = name
        self.model = model

    @abc.abstractmethod
    def stream(self, request: ChatRequest) -> AsyncIterator[Event]:
        """Yield the answer's events; raise ``ProviderError`` on failure."""

    async def aclose(self) -> None:  # noqa: B027 - optional hook
        """Release the SDK client's connections."""


def classify_stainless_error(exc: BaseException, sdk: Any) -> ProviderError:
    """The openai and anthropic SDKs share one exception hierarchy: map it to ours."""
    if isinstance(exc, ProviderError):
        return exc
    if isinstance(exc, sdk.APIStatusError):
        return error_for_status(exc.status_code)
    if isinstance(exc, sdk.APITimeoutError):
        return ProviderError("timeout", retryable=True)
    if isinstance(exc, sdk.APIConnectionError):
        return ProviderError("connection", retryable=True)
    if isinstance(exc, sdk.APIError):
        return ProviderError("protocol", retryable=True)
    return ProviderError("error", retryable=True)
