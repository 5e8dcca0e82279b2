"""Streaming a multipart upload to a spooled file on disk: never the whole file in memory,
the size limit enforced as the bytes arrive, the digest and the sniffing head taken on the
way."""

from __future__ import annotations

import asyncio
import hashlib
import os
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

from multipart import MultipartSegment, ParserError, PushMultipartParser, parse_options_header

from baton.attachments.sniff import HEAD_BYTES, TextCheck
from baton.kit.errors import BadRequest, PayloadTooLarge

FIELD_MAX = 1024  # the few small form fields next to the file
WRITE_EVERY = 1024 * 1024
# multipart framing around the file: boundaries, part headers, a few small fields
OVERHEAD_BYTES = 64 * 1024


@dataclass
class Received:
    path: Path
    filename: str
    size: int
    sha256: str
    head: bytes
    text: TextCheck
    fields: dict[str, str] = field(default_factory=dict)


def too_large(limit_bytes: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"the file is larger than {limit_bytes // (1024 * 1024)} MB", code="file_too_large"
    )


def clean_filename(raw: str | None) -> str:
    name = (raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"<>:|?*').strip(" .")
    return name[:200] or "file"


async def receive(
    chunks: AsyncIterator[bytes], content_type: str, spool_dir: Path, limit_bytes: int
) -> Received:
    """The ``file`` part of a multipart body, spooled under ``spool_dir``. The caller deletes
    ``Received.path``; on any error it is deleted here."""
    mime, options = parse_options_header(content_type or "")
    boundary = options.get("boundary")
    if mime != "multipart/form-data" or not boundary:
        raise BadRequest(
            "upload as multipart/form-data with the file in the 'file' field",
            code="multipart_expected",
        )
    fd, name = await asyncio.to_thread(_spool_file, spool_dir)
    handle = os.fdopen(fd, "wb")
    path = Path(name)
    digest = hashlib.sha256()
    text = TextCheck()
    head = bytearray()
    fields: dict[str, str] = {}
    buffer = bytearray()
    size = 0
    filename: str | None = None
    current: MultipartSegment | None = None
    current_value = bytearray()
    seen_file = False
    try:
        parser = PushMultipartParser(boundary, max_header_count=8, max_segment_count=10)
        async for chunk in _with_end(chunks):
            try:
                events = list(parser.parse(chunk))
            except ParserError as exc:
                raise BadRequest(f"malformed multipart body: {exc}", code="bad_multipart") from exc
            for event in events:
                if isinstance(event, MultipartSegment):
                    current, current_value = event, bytearray()
                    if event.name == "file" and event.filename is not None and not seen_file:
                        filename = event.filename
                elif event is None:
                    if current is not None and current.name == "file" and filename is not None:
                        seen_file = True
                    elif current is not None and current.filename is None:
                        fields[current.name] = current_value.decode("utf-8", "replace")
                    current = None
                elif current is not None:
                    if current.name == "file" and filename is not None and not seen_file:
                        size += len(event)
                        if size > limit_bytes:
                            raise too_large(limit_bytes)
                        digest.update(event)
                        text.feed(event)
                        if len(head) < HEAD_BYTES:
                            head.extend(event[: HEAD_BYTES - len(head)])
                        buffer.extend(event)
                        if len(buffer) >= WRITE_EVERY:
                            await asyncio.to_thread(handle.write, bytes(buffer))
                            buffer.clear()
                    elif current.filename is None:
                        current_value.extend(event)
                        if len(current_value) > FIELD_MAX:
                            raise BadRequest(f"form field {current.name} is too long")
        if not parser.closed:
            raise BadRequest("the multipart body ended early", code="bad_multipart")
        if not seen_file:
            raise BadRequest("no file in the 'file' field", code="file_missing")
        if size == 0:
            raise BadRequest("the file is empty", code="file_empty")
        text.feed(b"", final=True)
        if buffer:
            await asyncio.to_thread(handle.write, bytes(buffer))
        await asyncio.to_thread(handle.close)
    except BaseException:
        handle.close()
        await asyncio.to_thread(path.unlink, True)
        raise
    return Received(
        path, clean_filename(filename), size, digest.hexdigest(), bytes(head), text, fields
    )


def _spool_file(spool_dir: Path) -> tuple[int, str]:
    spool_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    return tempfile.mkstemp(prefix="upload-", dir=spool_dir)


async def _with_end(chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    async for chunk in chunks:
        if chunk:
            yield chunk
    yield b""  # tells the parser the input has ended
