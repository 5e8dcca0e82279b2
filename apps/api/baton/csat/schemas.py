from __future__ import annotations

import uuid
from datetime import datetime

import msgspec

from baton.csat.models import CsatResponse


class CsatOut(msgspec.Struct):
    """A visitor's rating of a conversation (1-5) and their comment."""

    id: uuid.UUID
    conversation_id: uuid.UUID
    rating: int
    comment: str | None
    channel: str
    agent_id: uuid.UUID | None
    created_at: datetime

    @classmethod
    def of(cls, row: CsatResponse) -> CsatOut:
        return cls(
            row.id,
            row.conversation_id,
            row.rating,
            row.comment,
            row.channel,
            row.agent_id,
            row.created_at,
        )


class ConversationCsatOut(msgspec.Struct):
    """``rating`` is null until the visitor rates the conversation."""

    rating: CsatOut | None
