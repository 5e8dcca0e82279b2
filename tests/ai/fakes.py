"""Fake LLM servers on loopback that speak each provider's real streaming wire protocol.

One aiohttp app answers all three protocols (the SDKs only see their own paths):
- OpenAI chat completions: ``POST /v1/chat/completions`` (SSE ``data:`` chunks, ``[DONE]``)
- Anthropic messages: ``POST /v1/messages`` (SSE with ``event:`` lines)
- Gemini: ``POST /v1/models/{model}:streamGenerateContent?alt=sse``

A ``Script`` says what the next requests get (the copilot's sentiment classifications get
``sentiment_script`` and are recorded in ``classifications``): tokens streamed slowly, a 500,
a stall before the first token (or after it), tool calls (handoff, suggestions,
cannot_answer), usage. A
wrong key gets the provider's own 401. Every request is recorded for assertions, and
``Recorded.images()`` reads the image parts of its visitor turns in the protocol's own wire
format (OpenAI ``image_url`` data URLs, Anthropic ``image`` blocks with a base64 source,
Gemini ``inlineData`` parts); a malformed image part fails the request with a 400 as the
real APIs do.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import json
import socket
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

SENTIMENT_MARKER = "classify the sentiment"  # in copilot.llm_sentiment.PROMPT


def _classifies_sentiment(body: dict[str, Any]) -> bool:
    return SENTIMENT_MARKER in json.dumps(body)


@dataclass
class Script:
    tokens: list[str] = field(default_factory=lambda: ["Hello", " from", " the", " fake."])
    mode: str = "ok"  # ok | error500 | stall | stall_after_first | hold_after_first
    delay: float = 0.0  # between tokens
    handoff: str | None = None  # reason, sent as a tool call after the text
    suggestions: list[str] | None = None
    cannot_answer: bool = False
    usage: tuple[int, int] = (42, 7)  # prompt, completion
    stall_seconds: float = 30.0
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # any other tools


@dataclass(frozen=True)
class ImagePart:
    media_type: str
    data: bytes
    turn: int  # index of the visitor turn (user message / content) that carried it


class BadImagePart(ValueError):
    pass


def _b64(text: Any) -> bytes:
    if not isinstance(text, str) or not text:
        raise BadImagePart("image data must be a non-empty base64 string")
    try:  # the google-genai SDK may send the URL-safe alphabet
        return base64.b64decode(text.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise BadImagePart("image data is not base64") from exc


def images_of(protocol: str, body: dict[str, Any]) -> list[ImagePart]:
    """The image parts of a recorded request, checked against the protocol's wire format."""
    out: list[ImagePart] = []
    if protocol == "openai":
        for n, m in enumerate(body.get("messages", [])):
            if not isinstance(m.get("content"), list):
                continue
            for part in m["content"]:
                if part.get("type") != "image_url":
                    continue
                if m["role"] != "user":
                    raise BadImagePart("images only in user messages")
                url = part["image_url"]["url"]
                head, _, data = url.partition(",")
                if not (head.startswith("data:image/") and head.endswith(";base64")):
                    raise BadImagePart("image_url must be a base64 data: URL")
                out.append(ImagePart(head[5:-7], _b64(data), n))
    elif protocol == "anthropic":
        for n, m in enumerate(body.get("messages", [])):
            if not isinstance(m.get("content"), list):
                continue
            for block in m["content"]:
                if block.get("type") != "image":
                    continue
                source = block["source"]
                if source.get("type") != "base64" or m["role"] != "user":
                    raise BadImagePart("image blocks take a base64 source in user turns")
                out.append(ImagePart(source["media_type"], _b64(source["data"]), n))
    else:
        for n, content in enumerate(body.get("contents", [])):
            for part in content.get("parts", []):
                inline = part.get("inlineData") or part.get("inline_data")
                if inline is None:
                    continue
                if content.get("role") != "user":
                    raise BadImagePart("inline data only in user contents")
                mime = inline.get("mimeType") or inline.get("mime_type")
                out.append(ImagePart(str(mime), _b64(inline.get("data")), n))
    for image in out:
        if image.media_type not in ("image/png", "image/jpeg", "image/webp"):
            raise BadImagePart(f"unsupported image type {image.media_type}")
    return out


def user_texts(protocol: str, body: dict[str, Any]) -> list[str]:
    """The text of each visitor turn, in order."""
    out: list[str] = []
    if protocol in ("openai", "anthropic"):
        for m in body.get("messages", []):
            if m.get("role") != "user":
                continue
            content = m.get("content")
            if isinstance(content, str):
                out.append(content)
            elif isinstance(content, list):
                out.append("\n".join(p.get("text", "") for p in content if p.get("type") == "text"))
    else:
        for content in body.get("contents", []):
            if content.get("role") == "user":
                out.append("\n".join(p.get("text", "") for p in content.get("parts", [])))
    return out


@dataclass
class Recorded:
    protocol: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]

    def images(self) -> list[ImagePart]:
        return images_of(self.protocol, self.body)

    def user_texts(self) -> list[str]:
        return user_texts(self.protocol, self.body)


@web.middleware
async def _checked(request: web.Request, handler: Any) -> web.StreamResponse:
    try:
        return await handler(request)  # type: ignore[no-any-return]
    except BadImagePart as exc:
        return web.json_response({"error": {"message": str(exc), "code": 400}}, status=400)


class FakeLLM:
    def __init__(self, key: str = "test-key") -> None:
        self.key = key
        self.script = Script()
        self.queue: list[Script] = []  # scripts for the next requests, in order, then ``script``
        self.requests: list[Recorded] = []
        # the copilot's sentiment classifications (copilot/llm_sentiment.py) are answered
        # from their own script and recorded apart, so a test's scripted replies and its
        # request counts are those of the replies alone
        self.sentiment_script = Script(tokens=['{"sentiment": 0.0}'])
        self.classifications: list[Recorded] = []
        self.port = 0
        self._runner: web.AppRunner | None = None
        self._stalled: list[asyncio.Event] = []
        # ``hold_after_first`` (OpenAI protocol): ``held`` is set once the first token is out;
        # the rest follows when the test sets ``resume``
        self.held = asyncio.Event()
        self.resume = asyncio.Event()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> FakeLLM:
        app = web.Application(middlewares=[_checked], client_max_size=64 * 1024 * 1024)
        app.router.add_post("/v1/chat/completions", self._openai)
        app.router.add_post("/v1/messages", self._anthropic)
        app.router.add_post("/v1/models/{model_action}", self._gemini)
        app.router.add_post("/v1beta/models/{model_action}", self._gemini)
        self._runner = web.AppRunner(app, shutdown_timeout=0.5)
        await self._runner.setup()
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        await site.start()
        return self

    async def stop(self) -> None:
        self.resume.set()
        for ev in self._stalled:
            ev.set()
        if self._runner is not None:
            await self._runner.cleanup()

    def _take(self, body: dict[str, Any]) -> Script:
        if _classifies_sentiment(body):  # the copilot's side request: its own script
            return self.sentiment_script
        return self.queue.pop(0) if self.queue else self.script

    def protocols(self) -> list[str]:
        return [r.protocol for r in self.requests]

    # -- helpers ---------------------------------------------------------------------------

    async def _sse(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(
            status=200, headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
        )
        await response.prepare(request)
        return response

    async def _stall(self) -> None:
        ev = asyncio.Event()
        self._stalled.append(ev)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(ev.wait(), self.script.stall_seconds)

    async def _record(self, protocol: str, request: web.Request) -> dict[str, Any]:
        body = await request.json()
        recorded = Recorded(protocol, request.path_qs, dict(request.headers), body)
        (self.classifications if _classifies_sentiment(body) else self.requests).append(recorded)
        images_of(protocol, body)  # raises BadImagePart: answered with a 400 (``_checked``)
        return body  # type: ignore[no-any-return]

    # -- OpenAI ----------------------------------------------------------------------------

    async def _openai(self, request: web.Request) -> web.StreamResponse:
        body = await self._record("openai", request)
        s = self._take(body)
        if request.headers.get("Authorization") != f"Bearer {self.key}":
            return web.json_response(
                {
                    "error": {
                        "message": "Incorrect API key provided.",
                        "type": "invalid_request_error",
                        "code": "invalid_api_key",
                    }
                },
                status=401,
            )
        if s.mode == "error500":
            return web.json_response(
                {"error": {"message": "The server had an error", "type": "server_error"}},
                status=500,
            )
        response = await self._sse(request)
        if s.mode == "stall":
            await self._stall()
            return response
        model = body.get("model", "gpt-fake")

        def chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
            data = {
                "id": "chatcmpl-fake",
                "object": "chat.completion.chunk",
                "created": 1,
                "model": model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            }
            return f"data: {json.dumps(data)}\n\n".encode()

        await response.write(chunk({"role": "assistant", "content": ""}))
        for i, token in enumerate(s.tokens):
            if i and s.delay:
                await asyncio.sleep(s.delay)
            await response.write(chunk({"content": token}))
            if s.mode == "stall_after_first":
                await self._stall()
                return response
            if s.mode == "hold_after_first" and i == 0:
                self.held.set()
                await self.resume.wait()
        calls = self._calls(s)
        for index, (name, args) in enumerate(calls):
            await response.write(
                chunk(
                    {
                        "tool_calls": [
                            {
                                "index": index,
                                "id": f"call_{index}",
                                "type": "function",
                                "function": {"name": name, "arguments": ""},
                            }
                        ]
                    }
                )
            )
            text = json.dumps(args)
            for piece in (text[: len(text) // 2], text[len(text) // 2 :]):
                await response.write(
                    chunk({"tool_calls": [{"index": index, "function": {"arguments": piece}}]})
                )
        await response.write(chunk({}, "tool_calls" if calls else "stop"))
        usage = {
            "id": "chatcmpl-fake",
            "object": "chat.completion.chunk",
            "created": 1,
            "model": model,
            "choices": [],
            "usage": {
                "prompt_tokens": s.usage[0],
                "completion_tokens": s.usage[1],
                "total_tokens": sum(s.usage),
            },
        }
        await response.write(f"data: {json.dumps(usage)}\n\n".encode())
        await response.write(b"data: [DONE]\n\n")
        return response

    def _calls(self, s: Script) -> list[tuple[str, dict[str, Any]]]:
        calls: list[tuple[str, dict[str, Any]]] = list(s.calls)
        if s.suggestions is not None:
            calls.append(("suggest_follow_ups", {"suggestions": s.suggestions}))
        if s.cannot_answer:
            calls.append(("cannot_answer", {}))
        if s.handoff is not None:
            calls.append(("handoff_to_human", {"reason": s.handoff}))
        return calls

    # -- Anthropic -------------------------------------------------------------------------

    async def _anthropic(self, request: web.Request) -> web.StreamResponse:
        body = await self._record("anthropic", request)
        s = self._take(body)
        # the SDK sends the key as ``x-api-key`` (older) or ``Authorization: Bearer`` (2.x)
        sent = request.headers.get("x-api-key") or request.headers.get("Authorization", "")[7:]
        if sent != self.key:
            return web.json_response(
                {
                    "type": "error",
                    "error": {"type": "authentication_error", "message": "invalid x-api-key"},
                },
                status=401,
            )
        if s.mode == "error500":
            return web.json_response(
                {"type": "error", "error": {"type": "api_error", "message": "Internal error"}},
                status=500,
            )
        response = await self._sse(request)
        if s.mode == "stall":
            await self._stall()
            return response

        async def event(name: str, data: dict[str, Any]) -> None:
            await response.write(f"event: {name}\ndata: {json.dumps(data)}\n\n".encode())

        await event(
            "message_start",
            {
                "type": "message_start",
                "message": {
                    "id": "msg_fake",
                    "type": "message",
                    "role": "assistant",
                    "content": [],
                    "model": body.get("model", "claude-fake"),
                    "stop_reason": None,
                    "stop_sequence": None,
                    "usage": {"input_tokens": s.usage[0], "output_tokens": 1},
                },
            },
        )
        await event(
            "content_block_start",
            {
                "type": "content_block_start",
                "index": 0,
                "content_block": {"type": "text", "text": ""},
            },
        )
        for i, token in enumerate(s.tokens):
            if i and s.delay:
                await asyncio.sleep(s.delay)
            await event(
                "content_block_delta",
                {
                    "type": "content_block_delta",
                    "index": 0,
                    "delta": {"type": "text_delta", "text": token},
                },
            )
            if s.mode == "stall_after_first":
                await self._stall()
                return response
        await event("content_block_stop", {"type": "content_block_stop", "index": 0})
        calls = self._calls(s)
        for n, (name, args) in enumerate(calls, start=1):
            await event(
                "content_block_start",
                {
                    "type": "content_block_start",
                    "index": n,
                    "content_block": {
                        "type": "tool_use",
                        "id": f"toolu_{n}",
                        "name": name,
                        "input": {},
                    },
                },
            )
            text = json.dumps(args)
            for piece in (text[: len(text) // 2], text[len(text) // 2 :]):
                await event(
                    "content_block_delta",
                    {
                        "type": "content_block_delta",
                        "index": n,
                        "delta": {"type": "input_json_delta", "partial_json": piece},
                    },
                )
            await event("content_block_stop", {"type": "content_block_stop", "index": n})
        await event(
            "message_delta",
            {
                "type": "message_delta",
                "delta": {
                    "stop_reason": "tool_use" if calls else "end_turn",
                    "stop_sequence": None,
                },
                "usage": {"output_tokens": s.usage[1]},
            },
        )
        await event("message_stop", {"type": "message_stop"})
        return response

    # -- Gemini ----------------------------------------------------------------------------

    async def _gemini(self, request: web.Request) -> web.StreamResponse:
        body = await self._record("gemini", request)
        s = self._take(body)
        model_action = request.match_info["model_action"]
        key = request.headers.get("x-goog-api-key") or request.query.get("key")
        if key != self.key:
            return web.json_response(
                {  # what Gemini really answers to a wrong key: a 400 that names the reason
                    "error": {
                        "code": 400,
                        "message": "API key not valid. Please pass a valid API key.",
                        "status": "INVALID_ARGUMENT",
                        "details": [
                            {
                                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                                "reason": "API_KEY_INVALID",
                                "domain": "googleapis.com",
                            }
                        ],
                    }
                },
                status=400,
            )
        if not model_action.endswith(":streamGenerateContent"):
            return web.json_response({"error": {"code": 404, "message": "not found"}}, status=404)
        if s.mode == "error500":
            return web.json_response(
                {"error": {"code": 500, "message": "Internal error", "status": "INTERNAL"}},
                status=500,
            )
        response = await self._sse(request)
        if s.mode == "stall":
            await self._stall()
            return response
        model = model_action.split(":", 1)[0]

        async def chunk(parts: list[dict[str, Any]], finish: str | None = None) -> None:
            candidate: dict[str, Any] = {"content": {"parts": parts, "role": "model"}, "index": 0}
            if finish:
                candidate["finishReason"] = finish
            data: dict[str, Any] = {"candidates": [candidate], "modelVersion": model}
            if finish:
                data["usageMetadata"] = {
                    "promptTokenCount": s.usage[0],
                    "candidatesTokenCount": s.usage[1],
                    "totalTokenCount": sum(s.usage),
                }
            await response.write(f"data: {json.dumps(data)}\r\n\r\n".encode())

        for i, token in enumerate(s.tokens):
            if i and s.delay:
                await asyncio.sleep(s.delay)
            await chunk([{"text": token}])
            if s.mode == "stall_after_first":
                await self._stall()
                return response
        calls = [{"functionCall": {"name": n, "args": a}} for n, a in self._calls(s)]
        await chunk(calls or [{"text": ""}], "STOP")
        return response
