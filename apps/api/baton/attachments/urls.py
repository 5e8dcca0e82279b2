"""Short-lived signed download URLs: ``/api/v1/attachments/{id}/content?v=&exp=&sig=``.

The signature is an HMAC (SHA-256) of the id, the variant and the expiry under a key derived
from ``BATON_SECRET_KEY``; expiries are rounded up to the next window, so one message shows
the same URL for a while (browsers cache it) and every URL dies within two windows
(``BATON_ATTACHMENT_URL_TTL_SECONDS``). The paths are relative to the server's address
(the widget's frame and the inbox are served from it)."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from typing import Literal

from baton.kit.clock import clock
from baton.settings import Settings, get_settings

Variant = Literal["file", "thumb"]


class _Key:
    value: bytes | None = None
    ttl: int = 3600


def configure(settings: Settings) -> None:
    """Called when a process builds its runtime; otherwise the process's own settings."""
    _Key.value = hashlib.sha256(b"baton-attachments:" + settings.secret_key.encode()).digest()
    _Key.ttl = settings.attachment_url_ttl_seconds


def _key() -> bytes:
    if _Key.value is None:
        configure(get_settings())
    assert _Key.value is not None
    return _Key.value


def _signature(attachment_id: uuid.UUID, variant: str, expires: int) -> str:
    message = f"{attachment_id}:{variant}:{expires}".encode()
    return hmac.new(_key(), message, hashlib.sha256).hexdigest()


def signed_path(attachment_id: uuid.UUID, variant: Variant = "file") -> str:
    _key()
    now = int(clock.now().timestamp())
    ttl = _Key.ttl
    expires = (now // ttl + 2) * ttl
    sig = _signature(attachment_id, variant, expires)
    return f"/api/v1/attachments/{attachment_id}/content?v={variant}&exp={expires}&sig={sig}"


def check(attachment_id: uuid.UUID, variant: str, expires: int, sig: str) -> str:
    """``ok``, ``expired`` (a genuine link past its time) or ``invalid``."""
    if variant not in ("file", "thumb"):
        return "invalid"
    expected = _signature(attachment_id, variant, expires).encode()
    if not hmac.compare_digest(expected, sig.encode("utf-8", "replace")):  # any text: bytes
        return "invalid"
    return "expired" if expires < int(clock.now().timestamp()) else "ok"


def valid(attachment_id: uuid.UUID, variant: str, expires: int, sig: str) -> bool:
    return check(attachment_id, variant, expires, sig) == "ok"
