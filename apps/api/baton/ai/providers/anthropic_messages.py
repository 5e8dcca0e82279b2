"""Anthropic messages through the official SDK (SSE: message_start, content_block_start,
content_block_delta..., content_block_stop, message_delta, message_stop)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import anthropic

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
from baton.tools.registry import anthropic_tools


def classify(exc: BaseException) -> ProviderError:
    return classify_stainless_error(exc, anthropic)


def message_of(m: ChatMessage) -> dict[str, Any]:
    """A turn; with images, ``image`` blocks (base64 source) before the text, as Anthropic
    recommends."""
    if not m.images:
        return {"role": m.role, "content": m.content}
    blocks: list[dict[str, Any]] = [
        {
            "type": "image",
            "source": {"type": "base64", "media_type": image.media_type, "data": image.base64()},
        }
        for image in m.images
    ]
    if m.content:
        blocks.append({"type": "text", "text": m.content})
    return {"role": m.role, "content": blocks}


def rounds_messages(rounds: tuple[ToolRound, ...]) -> list[dict[str, Any]]:
    """Tool calls answered earlier in this reply: ``tool_use`` blocks from the assistant,
    then the visitor turn carrying one ``tool_result`` per call."""
    out: list[dict[str, Any]] = []
    for n, r in enumerate(rounds):
        ids = [c.call_id or f"toolu_{n}_{i}" for i, c in enumerate(r.calls)]
        content: list[dict[str, Any]] = [{"type": "text", "text": r.text}] if r.text else []
        content += [
            {"type": "tool_use", "id": ids[i], "name": c.name, "input": c.args}
            for i, c in enumerate(r.calls)
        ]
        out.append({"role": "assistant", "content": content})
        out.append(
            {
                "role": "user",
                "content": [
                    {"type": "tool_result", "tool_use_id": ids[i], "content": json.dumps(result)}
                    for i, result in enumerate(r.results)
                ],
            }
        )
    return out


class AnthropicProvider(Provider):
    kind = "anthropic"

    def __init__(
        self, *, name: str, model: str, api_key: str | None, base_url: str | None, timeout: float
    ) -> None:
        super().__init__(name=name, model=model)
        self.client = anthropic.AsyncAnthropic(
            api_key=api_key or "", base_url=base_url or None, timeout=timeout, max_retries=0
        )

    async def stream(self, request: ChatRequest) -> AsyncIterator[Event]:
        kwargs: dict[str, Any] = {
            "model": self.model,
            "max_tokens": request.max_tokens,
            "system": request.system,
            "messages": [message_of(m) for m in normalise_turns(request.messages)]
            + rounds_messages(request.rounds),
            "stream": True,
        }
        if request.use_tools:
            kwargs["tools"] = anthropic_tools(request.tools)
        try:
            stream = await self.client.messages.create(**kwargs)
        except Exception as exc:
            raise classify(exc) from None
        prompt_tokens: int | None = None
        completion_tokens: int | None = None
        tools: dict[int, dict[str, str]] = {}
        try:
            async for event in stream:
                if event.type == "message_start":
                    prompt_tokens = event.message.usage.input_tokens
                elif event.type == "content_block_start":
                    if event.content_block.type == "tool_use":
                        tools[event.index] = {
                            "name": event.content_block.name,
                            "json": "",
                            "id": event.content_block.id,
                        }
                elif event.type == "content_block_delta":
                    if event.delta.type == "text_delta":
                        yield TextDelta(event.delta.text)
                    elif event.delta.type == "input_json_delta" and event.index in tools:
                        tools[event.index]["json"] += event.delta.partial_json
                elif event.type == "message_delta":
                    completion_tokens = event.usage.output_tokens
        except Exception as exc:
            raise classify(exc) from None
        finally:
            await stream.close()
        if prompt_tokens is not None or completion_tokens is not None:
            yield Usage(prompt_tokens, completion_tokens)
        for _, tool in sorted(tools.items()):
            try:
                args = json.loads(tool["json"] or "{}")
            except ValueError:
                args = {}
            yield ToolCall(tool["name"], args if isinstance(args, dict) else {}, tool["id"])

    async def aclose(self) -> None:
        await self.client.close()
