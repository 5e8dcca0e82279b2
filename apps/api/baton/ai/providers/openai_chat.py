"""OpenAI chat completions through the official SDK; ``base_url`` makes any OpenAI-compatible
server work (Azure OpenAI's v1 endpoint, Ollama, vLLM, LM Studio...)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import openai

from baton.ai.control import TOOLS
from baton.ai.providers.base import (
    ChatRequest,
    Event,
    Provider,
    ProviderError,
    TextDelta,
    ToolCall,
    Usage,
    classify_stainless_error,
    normalise_turns,
)


def classify(exc: BaseException) -> ProviderError:
    return classify_stainless_error(exc, openai)


def _args(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


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
        messages += [
            {"role": m.role, "content": m.content} for m in normalise_turns(request.messages)
        ]
        kwargs: dict[str, Any] = {
            "model": self.model,
            "messages": messages,
            "stream": True,
            "stream_options": {"include_usage": True},
            "max_tokens": request.max_tokens,
        }
        if request.use_tools:
            kwargs["tools"] = [{"type": "function", "function": t} for t in TOOLS]
        try:
            stream = await self.client.chat.completions.create(**kwargs)
        except Exception as exc:
            raise classify(exc) from None
        calls: dict[int, dict[str, str]] = {}
        try:
            async for chunk in stream:
                if chunk.usage is not None:
                    yield Usage(chunk.usage.prompt_tokens, chunk.usage.completion_tokens)
                for choice in chunk.choices:
                    delta = choice.delta
                    if delta.content:
                        yield TextDelta(delta.content)
                    for tc in delta.tool_calls or []:
                        call = calls.setdefault(tc.index, {"name": "", "arguments": ""})
                        if tc.function is not None:
                            call["name"] += tc.function.name or ""
                            call["arguments"] += tc.function.arguments or ""
        except Exception as exc:
            raise classify(exc) from None
        finally:
            await stream.close()
        for _, call in sorted(calls.items()):
            yield ToolCall(call["name"], _args(call["arguments"]))

    async def aclose(self) -> None:
        await self.client.close()
