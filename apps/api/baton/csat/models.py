from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from baton.db.base import Base, IdMixin, utcnow
from baton.kit.crypto import EncryptedText


class CsatResponse(IdMixin, Base):
    """A visitor's rating of one conversation: stored once (the unique conversation id)."""

    __tablename__ = "csat_responses"

    conversation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), unique=True
    )
    rating: Mapped[int] = mapped_column(Integer)  # 1..5
    comment: Mapped[str | None] = mapped_column(
        EncryptedText("csat_responses.comment"), default=None
    )
    channel: Mapped[str] = mapped_column(String(16))  # widget | email
    # the person who owned the conversation when it was rated (analytics per agent)
    agent_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
