"""Fast tier: sniffing from the bytes, image facts, the scanning hook, signed links."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from baton.attachments import urls
from baton.attachments.scan import scan
from baton.attachments.sniff import TextCheck, inspect_image, sniff
from baton.kit.clock import clock
from baton.kit.errors import ServiceUnavailable, ValidationFailed
from tests.attachments.files import PROGRAM, png


def _text(data: bytes) -> TextCheck:
    check = TextCheck()
    check.feed(data)
    check.feed(b"", final=True)
    return check


def test_types_come_from_the_bytes() -> None:
    assert sniff(png(), _text(png())) == "image/png"
    assert sniff(b"%PDF-1.7\n%...", _text(b"%PDF-1.7\n%...")) == "application/pdf"
    assert sniff("héllo\nwörld\n".encode(), _text("héllo\nwörld\n".encode())) == "text/plain"
    assert sniff(PROGRAM, _text(PROGRAM)) is None  # a program, whatever it is called
    zipped = b"PK\x03\x04" + b"\x00" * 200
    assert sniff(zipped, _text(zipped)) is None  # a plain zip is not an office document
    assert sniff(b"abc\x00def", _text(b"abc\x00def")) is None  # binary, not text
    assert sniff(b"\xff\xfe\xfa", _text(b"\xff\xfe\xfa")) is None  # not UTF-8


def test_text_check_spans_chunks() -> None:
    check = TextCheck()
    data = "ü".encode()
    check.feed(data[:1])  # a character split across two chunks is still text
    check.feed(data[1:])
    check.feed(b"", final=True)
    assert check.ok


def test_image_facts_and_thumbnail(tmp_path: Path) -> None:
    path = tmp_path / "big.png"
    path.write_bytes(png(1200, 600))
    facts = inspect_image(path, "image/png")
    assert facts is not None and (facts.width, facts.height) == (1200, 600)
    assert facts.thumbnail is not None and facts.thumbnail[:4] == b"RIFF"  # WebP
    assert inspect_image(path, "image/jpeg") is None  # not what it was sniffed as
    broken = tmp_path / "broken.png"
    broken.write_bytes(png()[:40])
    assert inspect_image(broken, "image/png") is None


async def test_scanning_hook(tmp_path: Path) -> None:
    path = tmp_path / "f.txt"
    path.write_text("hello")
    assert await scan(None, path) == "skipped"
    assert await scan("true", path) == "clean"
    with pytest.raises(ValidationFailed) as infected:
        await scan("false", path)  # exit 1: infected
    assert infected.value.code == "infected"
    with pytest.raises(ServiceUnavailable):
        await scan("sh -c 'exit 2'", path)  # a scanner error refuses too
    with pytest.raises(ServiceUnavailable):
        await scan("/nonexistent/clamscan", path)


def test_signed_links_expire_and_bind_the_variant() -> None:
    attachment_id = uuid.uuid4()
    path = urls.signed_path(attachment_id, "file")
    query = dict(p.split("=", 1) for p in path.split("?", 1)[1].split("&"))
    exp, sig = int(query["exp"]), query["sig"]
    assert urls.valid(attachment_id, "file", exp, sig)
    assert not urls.valid(attachment_id, "thumb", exp, sig)
    assert not urls.valid(uuid.uuid4(), "file", exp, sig)
    assert not urls.valid(attachment_id, "file", exp + 1, sig)
    assert not urls.valid(attachment_id, "file", exp, "é" * 64)  # not hex, not even ASCII
    try:
        clock.advance(3 * 3600)
        assert not urls.valid(attachment_id, "file", exp, sig)
    finally:
        clock.reset()
