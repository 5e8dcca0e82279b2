"""Google Gemini through the official google-genai SDK (``streamGenerateContent?alt=sse``).

The provider keeps its ``genai.Client`` for its lifetime (the SDK's async transport belongs
to it). The SDK's own retries are off: the fleet retries with its backoff and breaker.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from google import genai
from google.genai import errors as genai_errors
from google.genai import types

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
    error_for_status,
    normalise_turns,
)
from baton.tools.registry import gemini_declarations


def classify(exc: BaseException) -> ProviderError:
    if isinstance(exc, ProviderError):
        return exc
    if isinstance(exc, genai_errors.APIError):
        code = exc.code if isinstance(exc.code, int) else None
        if code == 400 and "API_KEY_INVALID" in str(exc.details):  # how Gemini says "bad key"
            return ProviderError("auth", status=code)
        return error_for_status(code)
    if isinstance(exc, TimeoutError):
        return ProviderError("timeout", retryable=True)
    if isinstance(exc, OSError) or type(exc).__module__.split(".")[0] in ("aiohttp", "httpx2"):
        return ProviderError("connection", retryable=True)
    return ProviderError("error", retryable=True)


def content_of(m: ChatMessage) -> types.Content:
    """A turn; with images, ``inline_data`` parts (the SDK sends the bytes base64-encoded)."""
    parts = [types.Part(text=m.content)] if m.content or not m.images else []
    parts += [
        types.Part(inline_data=types.Blob(mime_type=image.media_type, data=image.data))
        for image in m.images
    ]
    return types.Content(role="user" if m.role == "user" else "model", parts=parts)


def rounds_contents(rounds: tuple[ToolRound, ...]) -> list[types.Content]:
    """Tool calls answered earlier in this reply: the model's ``functionCall`` parts, then a
    user turn of ``functionResponse`` parts."""
    out: list[types.Content] = []
    for r in rounds:
        parts = [types.Part(text=r.text)] if r.text else []
        parts += [
            types.Part(function_call=types.FunctionCall(name=c.name, args=c.args)) for c in r.calls
        ]
        out.append(types.Content(role="model", parts=parts))
        out.append(
            types.Content(
                role="user",
                parts=[
                    types.Part(
                        function_response=types.FunctionResponse(name=c.name, response=result)
                    )
                    for c, result in zip(r.calls, r.results, strict=True)
                ],
            )
        )
    return out


class GeminiProvider(Provider):
    kind = "gemini"

    def __init__(
        self, *, name: str, model: str, api_key: str | None, base_url: str | None, timeout: float
    ) -> None:
        super().__init__(name=name, model=model)
        options = types.HttpOptions(
            base_url=base_url or None,
            timeout=int(timeout * 1000),
            retry_options=types.HttpRetryOptions(attempts=1),
        )
        self.client = genai.Client(api_key=api_key or "", http_options=options)

    async def stream(self, request: ChatRequest) -> AsyncIterator[Event]:
        contents = [content_of(m) for m in normalise_turns(request.messages)]
        contents += rounds_contents(request.rounds)
        config: dict[str, Any] = {
            "system_instruction": request.system,
            "max_output_tokens": request.max_tokens,
        }
        if request.use_tools:
            config["tools"] = [
                types.Tool(
                    function_declarations=[
                        types.FunctionDeclaration(**d) for d in gemini_declarations(request.tools)
                    ]
                )
            ]
            config["automatic_function_calling"] = types.AutomaticFunctionCallingConfig(
                disable=True
            )
        usage: Usage | None = None
        calls: list[ToolCall] = []
        try:
            stream = await self.client.aio.models.generate_content_stream(
                model=self.model, contents=contents, config=types.GenerateContentConfig(**config)
            )
            async for response in stream:
                for candidate in response.candidates or []:
                    for part in (candidate.content.parts if candidate.content else None) or []:
                        if part.text:
                            yield TextDelta(part.text)
                        if part.function_call is not None and part.function_call.name:
                            calls.append(
                                ToolCall(
                                    part.function_call.name, dict(part.function_call.args or {})
                                )
                            )
                meta = response.usage_metadata
                if meta is not None:
                    usage = Usage(meta.prompt_token_count, meta.candidates_token_count)
        except Exception as exc:
            raise classify(exc) from None
        if usage is not None:
            yield usage
        for call in calls:
            yield call

    async def aclose(self) -> None:
        await self.client.aio.aclose()
