"""OpenAI chat completions through the official SDK; ``base_url`` makes any OpenAI-compatible
server work (Azure OpenAI's v1 endpoint, Ollama, vLLM, LM Studio...)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import msgspec
import openai

from baton.ai.providers.base import (
    ChatMessage,
    ChatRequest,
    Event,
    Provider,
    ProviderError,
    TextDelta,
    ToolCall,
    ToolRound,
    Usage,
    classify_stainless_error,
    normalise_turns,
)
from baton.tools.registry import openai_tools


def classify(exc: BaseException) -> ProviderError:
    return classify_stainless_error(exc, openai)


def _args(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


class _Function(msgspec.Struct):
    name: str | None = None
    arguments: str | None = None


class _ToolCallDelta(msgspec.Struct):
    index: int = 0
    id: str | None = None
    function: _Function | None = None


class _Delta(msgspec.Struct):
    content: str | None = None
    tool_calls: list[_ToolCallDelta] | None = None


class _Choice(msgspec.Struct):
    delta: _Delta | None = None


class _Usage(msgspec.Struct):
    prompt_tokens: int | None = None
    completion_tokens: int | None = None


class _Chunk(msgspec.Struct):
    """The fields of a ``chat.completion.chunk`` that Baton reads (others are ignored)."""

    choices: list[_Choice] | None = None
    usage: _Usage | None = None
    error: Any = None


_decode_chunk = msgspec.json.Decoder(_Chunk).decode


async def chunks(lines: AsyncIterator[str]) -> AsyncIterator[_Chunk]:
    """Server-sent events of a streamed completion -> chunks, until ``[DONE]``.

    The SDK sends the request (auth, base URL, timeouts, status errors); the stream's body is
    parsed here with msgspec: the SDK's pydantic models cost ~1.5 ms of CPU per chunk, which
    at 50 concurrent answers is most of a core (docs/performance.md, S4).
    """
    async for line in lines:
        if not line.startswith("data:"):
            continue  # blank separators, comments, event names
        data = line[5:].strip()
        if data == "[DONE]":
            return
        try:
            chunk = _decode_chunk(data)
        except msgspec.DecodeError:
            raise ProviderError("protocol") from None  # a chunk that is not JSON
        if chunk.error is not None:
            raise ProviderError("server_error", retryable=True)  # reported mid-stream
        yield chunk


def message_of(m: ChatMessage) -> dict[str, Any]:
    """A turn; with images, a list of ``text`` and ``image_url`` parts (data: URLs, since
    Baton's own download links are short-lived and may not be reachable from OpenAI)."""
    if not m.images:
        return {"role": m.role, "content": m.content}
    parts: list[dict[str, Any]] = [{"type": "text", "text": m.content}] if m.content else []
    parts += [
        {"type": "image_url", "image_url": {"url": image.data_url(), "detail": "auto"}}
        for image in m.images
    ]
    return {"role": m.role, "content": parts}


def rounds_messages(rounds: tuple[ToolRound, ...]) -> list[dict[str, Any]]:
    """Tool calls answered earlier in this reply: the assistant's ``tool_calls``, then one
    ``tool`` message per call with its result."""
    out: list[dict[str, Any]] = []
    for n, r in enumerate(rounds):
        ids = [c.call_id or f"call_{n}_{i}" for i, c in enumerate(r.calls)]
        out.append(
            {
                "role": "assistant",
                "content": r.text or None,
                "tool_calls": [
                    {
                        "id": ids[i],
                        "type": "function",
                        "function": {"name": c.name, "arguments": json.dumps(c.args)},
                    }
                    for i, c in enumerate(r.calls)
                ],
            }
        )
        out += [
            {"role": "tool", "tool_call_id": ids[i], "content": json.dumps(result)}
            for i, result in enumerate(r.results)
        ]
    return out


class OpenAIProvider(Provider):
    kind = "openai"

    def __init__(
        self, *, name: str, model: str, api_key: str | None, base_url: str | None, timeout: float
    ) -> None:
        super().__init__(name=name, model=model)
        self.client = openai.AsyncOpenAI(
            # local OpenAI-compatible servers (Ollama, vLLM) take any key; the SDK wants one
            api_key=api_key or "not-needed",
            base_url=base_url or None,
            timeout=timeout,
            max_retries=0,  # the fleet retries, with its own backoff and breaker
        )

    async def stream(self, request: ChatRequest) -> AsyncIterator[Event]:
        messages: list[dict[str, Any]] = [{"role": "system", "content": request.system}]
        messages += [message_of(m) for m in normalise_turns(request.messages)]
        kwargs: dict[str, Any] = {
            "model": self.model,
            "messages": messages,
            "stream": True,
            "stream_options": {"include_usage": True},
            "max_tokens": request.max_tokens,
        }
        messages += rounds_messages(request.rounds)
        if request.use_tools:
            kwargs["tools"] = openai_tools(request.tools)
        calls: dict[int, dict[str, str]] = {}
        try:
            async with self.client.chat.completions.with_streaming_response.create(
                **kwargs
            ) as response:
                async for chunk in chunks(response.iter_lines()):
                    if chunk.usage is not None:
                        yield Usage(chunk.usage.prompt_tokens, chunk.usage.completion_tokens)
                    for choice in chunk.choices or ():
                        delta = choice.delta
                        if delta is None:
                            continue
                        if delta.content:
                            yield TextDelta(delta.content)
                        for tc in delta.tool_calls or ():
                            call = calls.setdefault(
                                tc.index, {"name": "", "arguments": "", "id": ""}
                            )
                            call["id"] = call["id"] or tc.id or ""
                            if tc.function is not None:
                                call["name"] += tc.function.name or ""
                                call["arguments"] += tc.function.arguments or ""
        except ProviderError:
            raise
        except Exception as exc:
            raise classify(exc) from None
        for _, call in sorted(calls.items()):
            yield ToolCall(call["name"], _args(call["arguments"]), call["id"])

    async def aclose(self) -> None:
        await self.client.close()
