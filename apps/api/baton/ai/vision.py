"""Images a visitor sends, made ready for vision-capable providers.

The reply's history names each visitor turn's files (``prompt.history``); here, with no
transaction open, the newest ``MAX_IMAGES`` images are read from storage and bounded:
PNG, JPEG and WebP within ``MAX_SIDE`` pixels and ``MAX_BYTES`` go as they are; anything
larger is downscaled with Pillow (JPEG, or PNG when it has transparency), and a GIF is sent
as a PNG of its first frame (Gemini takes no GIF, OpenAI no animated one). An image that
cannot be read or bounded (above ``MAX_DECODE_PIXELS``, or 60 megapixels for a JPEG), or is
beyond the limit, reaches the model as the same ``[attached: name (type, size)]`` line as any
other file.
"""

from __future__ import annotations

import asyncio
import dataclasses
import io
import logging
import tempfile
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

from baton.ai.providers.base import ChatMessage, ImageInput
from baton.attachments.sniff import IMAGES, MAX_THUMBNAIL_PIXELS
from baton.attachments.storage import storage_of

if TYPE_CHECKING:
    from baton.runtime import Runtime

log = logging.getLogger(__name__)

MAX_IMAGES = 4  # per reply: the newest images of the history window
MAX_SIDE = 1568  # pixels on the long side (Anthropic's recommended maximum; fine for all)
MAX_BYTES = 3_750_000  # per image after bounding (5 MB once base64-encoded)
SENDABLE = frozenset({"image/png", "image/jpeg", "image/webp"})
# decoding is bounded too (a 25-megapixel RGBA frame is 100 MB); JPEG decodes at a fraction
# of its size (``draft``), so it may be larger
MAX_DECODE_PIXELS = 25_000_000
READ_SECONDS = 15.0  # per image: a slow store must not hold the visitor's answer for long
_SPOOL_IN_MEMORY = 8 * 1024 * 1024
_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG", "image/gif": "GIF", "image/webp": "WEBP"}


@dataclass(frozen=True)
class PendingImage:
    """An image attachment on a visitor turn, to be read from storage."""

    turn: int  # index into the history's turns
    storage_key: str
    content_type: str
    filename: str
    size: int


def size_text(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    if size >= 1024:
        return f"{round(size / 1024)} KB"
    return f"{size} bytes"


def attached_line(filename: str, content_type: str, size: int, *, expired: bool = False) -> str:
    """How a file the model cannot see reads in the prompt."""
    note = ", expired" if expired else ""
    return f"[attached: {filename} ({content_type}, {size_text(size)}{note})]"


def is_image(content_type: str) -> bool:
    return content_type in IMAGES


def _encode(image: Any, alpha: bool) -> tuple[str, bytes]:
    out = io.BytesIO()
    if alpha:
        image.save(out, "PNG", optimize=True)
        return "image/png", out.getvalue()
    image.save(out, "JPEG", quality=85)
    return "image/jpeg", out.getvalue()


def bound_image(source: IO[bytes], content_type: str, size: int) -> tuple[str, bytes] | None:
    """The image as providers take it, or None when Pillow cannot read it as the sniffed
    type (or it is too large to decode). Runs in a worker thread."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(source) as image:
            if image.format != _FORMATS.get(content_type):
                return None
            width, height = image.size
            limit = MAX_THUMBNAIL_PIXELS if content_type == "image/jpeg" else MAX_DECODE_PIXELS
            if width <= 0 or height <= 0 or width * height > limit:
                return None
            animated = bool(getattr(image, "is_animated", False))
            if (
                content_type in SENDABLE
                and not animated
                and max(width, height) <= MAX_SIDE
                and size <= MAX_BYTES
            ):
                source.seek(0)
                return content_type, source.read()
            image.draft("RGB", (MAX_SIDE, MAX_SIDE))  # JPEG: decode at a fraction of the size
            image.seek(0)
            alpha = image.mode in ("RGBA", "LA", "PA") or (
                image.mode == "P" and "transparency" in image.info
            )
            frame = image.convert("RGBA" if alpha else "RGB")
            side = MAX_SIDE
            while True:
                frame.thumbnail((side, side))
                media_type, data = _encode(frame, alpha)
                if len(data) <= MAX_BYTES or side < 200:
                    return (media_type, data) if len(data) <= MAX_BYTES else None
                side = int(side * 0.7)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None


async def load_image(runtime: Runtime, pending: PendingImage) -> ImageInput | None:
    """Read one image from storage and bound it; None (logged) when that fails."""
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY)  # noqa: SIM115
    try:
        async with asyncio.timeout(READ_SECONDS):
            async for chunk in storage_of(runtime).read(pending.storage_key):
                spool.write(chunk)
        spool.seek(0)
        bounded = await asyncio.to_thread(bound_image, spool, pending.content_type, pending.size)
    except Exception:  # a missing object, a store away or slow: the model gets the file's name
        log.warning("image for the AI could not be read", extra={"key": pending.storage_key})
        return None
    finally:
        spool.close()
    if bounded is None:
        return None
    media_type, data = bounded
    return ImageInput(media_type, data, pending.filename)


async def attach_images(
    runtime: Runtime, turns: list[ChatMessage], pending: list[PendingImage]
) -> list[ChatMessage]:
    """The turns with the newest images attached; the others named in their turn's text."""
    chosen = pending[-MAX_IMAGES:]
    loaded = await asyncio.gather(*(load_image(runtime, p) for p in chosen))
    images: dict[int, list[ImageInput]] = {}
    lines: dict[int, list[str]] = {}
    for p in pending[: len(pending) - len(chosen)]:
        lines.setdefault(p.turn, []).append(attached_line(p.filename, p.content_type, p.size))
    for p, image in zip(chosen, loaded, strict=True):
        if image is None:
            lines.setdefault(p.turn, []).append(attached_line(p.filename, p.content_type, p.size))
        else:
            images.setdefault(p.turn, []).append(image)
    out = list(turns)
    for n in set(images) | set(lines):
        turn = out[n]
        text = "\n".join(t for t in (turn.content, *lines.get(n, [])) if t)
        out[n] = dataclasses.replace(
            turn, content=text, images=turn.images + tuple(images.get(n, []))
        )
    return out
