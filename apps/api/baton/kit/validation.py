"""Decode and validate untrusted payloads (REST bodies are handled by Litestar; Socket.IO is not)."""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec

from baton.kit.errors import ValidationFailed

T = TypeVar("T")


def convert(payload: Any, into: type[T]) -> T:
    """Validate a decoded JSON value into ``into`` or raise a 422 with msgspec's message."""
    if payload is None:
        payload = {}
    try:
        return msgspec.convert(payload, into, strict=True)
    except msgspec.ValidationError as exc:
        raise ValidationFailed(str(exc)) from exc
