"""Business-hours events."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from baton.kit.events import DomainEvent


@dataclass(frozen=True)
class OfflineOffered(DomainEvent):
    """A waiting visitor is offered the offline form (they waited past the limit)."""

    name: ClassVar[str] = "hours.offline_offered"
    conversation_id: uuid.UUID
    reason: str  # "wait_limit" | "closed"
    next_open_at: datetime | None = None
