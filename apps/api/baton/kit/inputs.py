"""Text the databases cannot store is refused at the edge, the same way on both backends.

PostgreSQL cannot store NUL (U+0000) in text, and no UTF-8 encoder accepts a lone surrogate
(U+D800-U+DFFF); left alone, both surface as driver errors (500, or a socket's
``internal_error``) after validation has passed, and SQLite would quietly store the NUL.
So: REST bodies in JSON, query strings and paths carrying a NUL are answered 400
``invalid_text`` before any handler runs (msgspec already refuses lone surrogates in JSON);
socket payloads are checked by ``kit.validation.convert`` with ``bad_text``.
"""

from __future__ import annotations

import json
import re
from typing import Any

# an odd run of backslashes followed by u0000: the JSON escape of NUL (a raw NUL byte is
# not valid inside a JSON string, so the decoder refuses that itself)
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
_BAD_CHARS = re.compile("[\x00\ud800-\udfff]")


def bad_text(value: Any) -> str | None:
    """The first problem in any string (key or value) of a decoded JSON value, or None."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            found = _BAD_CHARS.search(item)
            if found:
                return "NUL" if found.group() == "\x00" else "a lone surrogate"
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return None


def _refuse(detail: str) -> tuple[dict[str, Any], dict[str, Any]]:
    body = json.dumps({"error": "invalid_text", "detail": detail}).encode()
    start = {
        "type": "http.response.start",
        "status": 400,
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ],
    }
    return start, {"type": "http.response.body", "body": body}


def input_guard(app: Any, max_body_bytes: int) -> Any:
    async def middleware(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        problem = None
        if b"%00" in scope.get("query_string", b"").lower() or "\x00" in scope.get("path", ""):
            problem = "the URL must not contain NUL characters"
        headers = dict(scope.get("headers", []))
        is_json = b"json" in headers.get(b"content-type", b"").lower()
        replay: list[dict[str, Any]] = []
        if problem is None and is_json:
            size = 0
            while True:
                message = await receive()
                replay.append(message)
                if message["type"] != "http.request":
                    break
                size += len(message.get("body", b""))
                if size > max_body_bytes or not message.get("more_body"):
                    break
            if size <= max_body_bytes:
                body = b"".join(m.get("body", b"") for m in replay if m["type"] == "http.request")
                if _JSON_NUL.search(body):
                    problem = "text must not contain NUL characters"
        if problem is not None:
            start, end = _refuse(problem)
            await send(start)
            await send(end)
            return
        if not replay:
            await app(scope, receive, send)
            return

        async def replaying() -> Any:
            return replay.pop(0) if replay else await receive()

        await app(scope, replaying, send)

    return middleware
