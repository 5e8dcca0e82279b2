"""What a file really is, from its bytes (never its name or the browser's header), and what
an image's size and thumbnail are."""

from __future__ import annotations

import codecs
import io
from dataclasses import dataclass
from pathlib import Path

import filetype

HEAD_BYTES = 64 * 1024  # office formats are zip files: their part names sit near the start

IMAGES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
OFFICE = frozenset(
    {
        "application/msword",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.ms-excel",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.ms-powerpoint",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.presentation",
    }
)
ALLOWED = IMAGES | OFFICE | {"application/pdf", "text/plain"}
# shown in the browser (Content-Disposition: inline); everything else downloads
INLINE = IMAGES | {"application/pdf", "text/plain"}
THUMBNAIL_SIZE = (320, 320)
MAX_THUMBNAIL_PIXELS = 60_000_000  # larger images keep their size but get no thumbnail


class TextCheck:
    """Fed every chunk of the upload: is the whole file UTF-8 text without control bytes?"""

    # deleting these leaves only the control bytes plain text never holds (NUL, ESC, ...)
    _TEXT_BYTES = bytes(range(32, 256)) + b"\t\n\r\f"

    def __init__(self) -> None:
        self.decoder = codecs.getincrementaldecoder("utf-8")()
        self.ok = True

    def feed(self, chunk: bytes, final: bool = False) -> None:
        if not self.ok:
            return
        if chunk.translate(None, self._TEXT_BYTES):
            self.ok = False
            return
        try:
            self.decoder.decode(chunk, final=final)
        except UnicodeDecodeError:
            self.ok = False


def sniff(head: bytes, text: TextCheck) -> str | None:
    """The allowed content type the bytes show, or None (refused)."""
    kind = filetype.guess(head) if head else None
    if kind is not None:
        mime = "image/png" if kind.mime == "image/apng" else kind.mime
        return mime if mime in ALLOWED else None
    if head and text.ok:
        return "text/plain"
    return None


@dataclass(frozen=True)
class ImageFacts:
    width: int
    height: int
    thumbnail: bytes | None  # WebP


_PIL_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG", "image/gif": "GIF", "image/webp": "WEBP"}


def inspect_image(path: Path, content_type: str) -> ImageFacts | None:
    """Width, height and a thumbnail; None when Pillow cannot read it as the sniffed format
    (the upload is then refused). Runs in a worker thread."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            if image.format != _PIL_FORMATS[content_type]:
                return None
            width, height = image.size
            if width <= 0 or height <= 0:
                return None
            if width * height > MAX_THUMBNAIL_PIXELS:
                return ImageFacts(width, height, None)
            image.draft("RGB", THUMBNAIL_SIZE)  # JPEG: decode at a fraction of the size
            frame = image.convert("RGBA")
            frame.thumbnail(THUMBNAIL_SIZE)
            out = io.BytesIO()
            frame.save(out, "WEBP", quality=80)
            return ImageFacts(width, height, out.getvalue())
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None
