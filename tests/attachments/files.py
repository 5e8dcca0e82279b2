"""Small real files for the tests."""

from __future__ import annotations

import io

from PIL import Image

# the first bytes of a Linux program (ELF), padded: what a renamed executable looks like
PROGRAM = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x90" * 4000


def png(width: int = 64, height: int = 48, colour: str = "red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "PNG")
    return out.getvalue()


def half_striped(width: int = 640, height: int = 400) -> bytes:
    """Blue on the left; on the right one-pixel black and white stripes (blurring greys them)."""
    image = Image.new("RGB", (width, height), "blue")
    for x in range(width // 2, width):
        colour = (0, 0, 0) if x % 2 else (255, 255, 255)
        for y in range(height):
            image.putpixel((x, y), colour)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()
