"""One socket event to send: what, to which rooms, on which namespace."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Emission:
    event: str
    payload: Any
    rooms: tuple[str, ...]
    namespace: str
