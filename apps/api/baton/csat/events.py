"""What the csat domain tells the others (webhooks, analytics, the inbox)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import ClassVar

from baton.kit.events import DomainEvent


@dataclass(frozen=True)
class CsatSubmitted(DomainEvent):
    """A visitor rated a resolved conversation (``channel``: widget, or email for tickets)."""

    name: ClassVar[str] = "csat.submitted"
    response_id: uuid.UUID
    conversation_id: uuid.UUID
    rating: int
    comment: str | None
    channel: str
    agent_id: uuid.UUID | None
    submitted_at: str  # ISO 8601, UTC
