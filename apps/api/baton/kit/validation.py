"""Decode and validate untrusted payloads (REST bodies are handled by Litestar; Socket.IO is not)."""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec

from baton.kit.errors import ValidationFailed
from baton.kit.inputs import bad_text

T = TypeVar("T")


def convert(payload: Any, into: type[T]) -> T:
    """Validate a decoded JSON value into ``into`` or raise a 422 with msgspec's message."""
    if payload is None:
        payload = {}
    problem = bad_text(payload)
    if problem is not None:  # PostgreSQL cannot store NUL; no encoder takes a lone surrogate
        raise ValidationFailed(f"text must not contain {problem}", code="invalid_text")
    try:
        return msgspec.convert(payload, into, strict=True)
    except msgspec.ValidationError as exc:
        raise ValidationFailed(str(exc)) from exc
