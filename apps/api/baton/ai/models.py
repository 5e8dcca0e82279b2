from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from baton.db.base import Base, IdMixin, TimestampMixin, utcnow
from baton.kit.crypto import EncryptedText


class AIProvider(IdMixin, TimestampMixin, Base):
    """One link of the fleet. The API key is stored sealed (AES-256-GCM envelope)."""

    __tablename__ = "ai_providers"

    kind: Mapped[str] = mapped_column(String(16))  # openai | anthropic | gemini | builtin
    name: Mapped[str] = mapped_column(String(80))
    model: Mapped[str] = mapped_column(String(120))
    base_url: Mapped[str | None] = mapped_column(String(500), default=None)
    api_key_sealed: Mapped[str | None] = mapped_column(Text, default=None)
    priority: Mapped[int] = mapped_column(Integer, default=100)  # lower is tried first
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    use_tools: Mapped[bool] = mapped_column(Boolean, default=True)
    # accepts images: an image turn skips a provider without it (docs/ai.md "Vision")
    vision: Mapped[bool] = mapped_column(Boolean, default=True)
    timeout_seconds: Mapped[float] = mapped_column(Float, default=60.0)
    first_token_seconds: Mapped[float] = mapped_column(Float, default=10.0)
    max_retries: Mapped[int] = mapped_column(Integer, default=1)
    failure_threshold: Mapped[int] = mapped_column(Integer, default=3)
    cooldown_seconds: Mapped[float] = mapped_column(Float, default=30.0)
    # health, written by the fleet after every attempt (shared by all api processes)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    open_until: Mapped[datetime | None] = mapped_column(default=None)
    last_error: Mapped[str | None] = mapped_column(String(120), default=None)
    last_failure_at: Mapped[datetime | None] = mapped_column(default=None)
    last_success_at: Mapped[datetime | None] = mapped_column(default=None)


class AutoReplyRule(IdMixin, TimestampMixin, Base):
    """Answers instantly, before any model: exact, partial (contains) or keyword matches."""

    __tablename__ = "ai_auto_replies"

    name: Mapped[str] = mapped_column(String(120))
    match: Mapped[str] = mapped_column(String(16))  # exact | contains | keywords
    patterns: Mapped[list[str]] = mapped_column(JSON, default=list)
    response: Mapped[str] = mapped_column(Text)
    suggestions: Mapped[list[str]] = mapped_column(JSON, default=list)
    priority: Mapped[int] = mapped_column(Integer, default=100)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # answer with this global canned response's current body (``response`` keeps the copy
    # made when it was linked, used if the canned response is deleted); see canned/rules.py
    canned_response_id: Mapped[uuid.UUID | None] = mapped_column(default=None)


class AIReplyLog(IdMixin, Base):
    """One row per AI reply: who answered, how fast, how sure, and later the agents' verdict."""

    __tablename__ = "ai_reply_logs"

    conversation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    message_id: Mapped[uuid.UUID | None] = mapped_column(default=None, index=True)
    question_message_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    question: Mapped[str] = mapped_column(EncryptedText("ai_reply_logs.question"), default="")
    answer: Mapped[str] = mapped_column(EncryptedText("ai_reply_logs.answer"), default="")
    response_type: Mapped[str] = mapped_column(String(16))  # auto_reply|knowledge_base|llm|fallback
    outcome: Mapped[str] = mapped_column(
        String(16)
    )  # answered|no_answer|handoff|interrupted|failed
    provider_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    provider_kind: Mapped[str | None] = mapped_column(String(16), default=None)
    provider_name: Mapped[str | None] = mapped_column(String(80), default=None)
    model: Mapped[str | None] = mapped_column(String(120), default=None)
    confidence: Mapped[float | None] = mapped_column(Float, default=None)
    first_token_ms: Mapped[int | None] = mapped_column(Integer, default=None)
    total_ms: Mapped[int] = mapped_column(Integer, default=0)
    prompt_tokens: Mapped[int | None] = mapped_column(Integer, default=None)
    completion_tokens: Mapped[int | None] = mapped_column(Integer, default=None)
    failovers: Mapped[int] = mapped_column(Integer, default=0)
    attempts: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    sources: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    handoff_reason: Mapped[str | None] = mapped_column(String(200), default=None)
    verdict: Mapped[str | None] = mapped_column(String(16), default=None)  # good|bad|corrected
    correction: Mapped[str | None] = mapped_column(
        EncryptedText("ai_reply_logs.correction"), default=None
    )
    verdict_note: Mapped[str | None] = mapped_column(String(500), default=None)
    verdict_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    verdict_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
