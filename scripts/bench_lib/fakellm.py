"""A local OpenAI-compatible streaming server for scenario 4 (bench-owned, loopback only).

``POST {prefix}/v1/chat/completions`` with ``stream: true`` answers with server-sent events
in OpenAI's chunk format: the first token after ``FIRST_TOKEN_MS``, then ``TOKENS`` more,
one every ``TOKEN_MS``. Under the ``/stall`` prefix it accepts the request and never sends a
token (until the client gives up or ``STALL_LIMIT_S`` passes), like a provider that hangs.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from aiohttp import web

FIRST_TOKEN_MS = 50
TOKEN_MS = 5
TOKENS = 20
STALL_LIMIT_S = 60


def _chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
    body = {
        "id": "chatcmpl-bench",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": "bench-fake",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return b"data: " + json.dumps(body).encode() + b"\n\n"


async def completions(request: web.Request) -> web.StreamResponse:
    stall = request.match_info.get("mode") == "stall"
    payload = await request.json()
    request.app["requests"] += 1
    if not payload.get("stream"):
        await asyncio.sleep(FIRST_TOKEN_MS / 1000)
        return web.json_response(
            {
                "id": "chatcmpl-bench",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": "bench-fake",
                "choices": [
                    {
                        "index": 0,
                        "finish_reason": "stop",
                        "message": {"role": "assistant", "content": "ok " * TOKENS},
                    }
                ],
                "usage": {
                    "prompt_tokens": 10,
                    "completion_tokens": TOKENS,
                    "total_tokens": 10 + TOKENS,
                },
            }
        )
    response = web.StreamResponse(
        headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
    )
    await response.prepare(request)
    if stall:
        await asyncio.sleep(STALL_LIMIT_S)
        return response
    await asyncio.sleep(FIRST_TOKEN_MS / 1000)
    await response.write(_chunk({"role": "assistant", "content": "Hello"}))
    for i in range(TOKENS):
        await asyncio.sleep(TOKEN_MS / 1000)
        await response.write(_chunk({"content": f" token{i}"}))
    await response.write(_chunk({}, "stop"))
    await response.write(b"data: [DONE]\n\n")
    await response.write_eof()
    return response


async def models(_: web.Request) -> web.Response:
    return web.json_response({"object": "list", "data": [{"id": "bench-fake", "object": "model"}]})


def make_app() -> web.Application:
    app = web.Application()
    app["requests"] = 0
    for prefix in ("", "/{mode}"):
        app.router.add_post(prefix + "/v1/chat/completions", completions)
        app.router.add_get(prefix + "/v1/models", models)
    return app


async def start(port: int) -> web.AppRunner:
    runner = web.AppRunner(make_app(), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description="fake OpenAI-compatible streaming server")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    web.run_app(make_app(), host="127.0.0.1", port=args.port, access_log=None, print=None)


if __name__ == "__main__":
    main()
