"""Workspace settings with defaults. Every key is declared once with its type and default;
domains read them through ``get_settings`` (one query) and admins change them over REST."""

from __future__ import annotations

import re
import time
from typing import Any

import msgspec
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from baton.kit.errors import ValidationFailed
from baton.workspace.models import WorkspaceSetting

DEFAULT_HANDOFF_PHRASES = [
    "help me",
    "help",
    "agent",
    "human",
    "person",
    "operator",
    "representative",
    "real person",
    "live agent",
    "live person",
    "customer service",
    "talk to an agent",
    "talk to a human",
    "talk to a person",
    "talk to someone",
    "speak to an agent",
    "speak to a human",
    "speak to someone",
    "i want a human",
    "i want an agent",
    "i need a human",
    "connect me to an agent",
    "connect me to a human",
]


class WorkspaceConfig(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Every workspace setting, its type and its default."""

    handoff_phrases: list[str] = msgspec.field(
        default_factory=lambda: list(DEFAULT_HANDOFF_PHRASES)
    )
    ai_while_waiting: bool = True
    assignment_mode: str = "round_robin"  # round_robin: offer waiting conversations | manual
    max_open_per_agent: int = 5
    offer_timeout_seconds: int = 60
    welcome_message: str = (
        "Hi! I'm the Baton assistant. Ask me anything, or ask for a person at any time."
    )
    system_prompt: str = (
        "You are a friendly, concise customer-support assistant. Answer only from the provided "
        "knowledge-base passages and cite the article titles you used. If the passages do not "
        "answer the question, say so honestly and offer to connect the visitor with a person."
    )
    context_messages: int = 12
    # added to the system prompt when the visitor's messages carry images (docs/ai.md)
    image_analysis_prompt: str = (
        "The visitor has sent one or more images (screenshots or photos). Look at them for "
        "what matters to their question: error messages, the screen or step they are on, the "
        "product and its condition. Say briefly what you see that is relevant, then answer "
        "from the knowledge-base passages. If an image is unclear, say so and ask; never "
        "guess at details you cannot see, and never repeat personal data shown in an image "
        "(card numbers, passwords, addresses)."
    )
    # mask emails, phone and card numbers, IBANs... in what LLM providers are sent
    redact_pii_in_prompts: bool = False
    # sites that may frame the widget (``frame-ancestors``); empty: any site (see security.md)
    widget_allowed_origins: list[str] = msgspec.field(default_factory=list)
    # visitors who say who they are must prove it (HMAC of their id, see docs/widget.md)
    identity_verification: bool = False
    # after a conversation is resolved the widget asks for a 1-5 rating (docs/csat.md)
    csat_enabled: bool = True
    csat_question: str = "How would you rate this conversation?"
    csat_delay_seconds: int = 3
    # a visitor writing again this soon after an agent resolved reaches that agent (if online)
    # instead of the AI; 0: always the AI
    reopen_with_agent_minutes: int = 60


class WorkspacePatch(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    handoff_phrases: list[str] | None = None
    ai_while_waiting: bool | None = None
    assignment_mode: str | None = None
    max_open_per_agent: int | None = None
    offer_timeout_seconds: int | None = None
    welcome_message: str | None = None
    system_prompt: str | None = None
    context_messages: int | None = None
    image_analysis_prompt: str | None = None
    redact_pii_in_prompts: bool | None = None
    widget_allowed_origins: list[str] | None = None
    identity_verification: bool | None = None
    csat_enabled: bool | None = None
    csat_question: str | None = None
    csat_delay_seconds: int | None = None
    reopen_with_agent_minutes: int | None = None


_ORIGIN = re.compile(
    r"^https?://(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+|\*\.[A-Za-z0-9.-]+)(:[0-9]{1,5})?$"
)


def normalise_origins(origins: list[str]) -> list[str]:
    """Origins like ``https://shop.example`` or ``https://*.example.com`` (no path)."""
    out: list[str] = []
    for raw in origins:
        origin = raw.strip().rstrip("/").lower()
        if not _ORIGIN.match(origin):
            raise ValidationFailed(
                f"not an origin: {raw[:100]!r} (scheme://host[:port], no path)",
                code="invalid_origin",
            )
        if origin not in out:
            out.append(origin)
    if len(out) > 50:
        raise ValidationFailed("at most 50 allowed origins")
    return out


def _validate(config: WorkspaceConfig) -> None:
    if config.assignment_mode not in ("round_robin", "manual"):
        raise ValidationFailed("assignment_mode must be round_robin or manual")
    if not 1 <= config.max_open_per_agent <= 100:
        raise ValidationFailed("max_open_per_agent must be between 1 and 100")
    if not 10 <= config.offer_timeout_seconds <= 3600:
        raise ValidationFailed("offer_timeout_seconds must be between 10 and 3600")
    if not 0 <= config.context_messages <= 100:
        raise ValidationFailed("context_messages must be between 0 and 100")
    if len(config.handoff_phrases) > 200 or any(
        not p.strip() or len(p) > 200 for p in config.handoff_phrases
    ):
        raise ValidationFailed(
            "handoff_phrases: up to 200 non-empty phrases of at most 200 characters"
        )
    if not config.welcome_message.strip() or len(config.welcome_message) > 2000:
        raise ValidationFailed("welcome_message must be 1-2000 characters")
    if len(config.system_prompt) > 20_000:
        raise ValidationFailed("system_prompt is too long")
    if len(config.image_analysis_prompt) > 20_000:
        raise ValidationFailed("image_analysis_prompt is too long")
    if not config.csat_question.strip() or len(config.csat_question) > 200:
        raise ValidationFailed("csat_question must be 1-200 characters")
    if not 0 <= config.csat_delay_seconds <= 3600:
        raise ValidationFailed("csat_delay_seconds must be between 0 and 3600")
    if not 0 <= config.reopen_with_agent_minutes <= 10_080:
        raise ValidationFailed("reopen_with_agent_minutes must be between 0 and 10080 (a week)")
    config.widget_allowed_origins[:] = normalise_origins(config.widget_allowed_origins)


# Read on every visitor message, changed a few times a year: each process keeps it for a
# moment. A change made in this process is seen at once; in another, within CACHE_SECONDS.
CACHE_SECONDS = 2.0
_cache: dict[str, tuple[float, WorkspaceConfig]] = {}


def clear_config_cache() -> None:
    _cache.clear()


_WRITING = "workspace_settings_written"


def _clear_when_transaction_ends(session: AsyncSession) -> None:
    """Forget the cached settings once the writing transaction has ended, not before: a
    reader racing the commit would otherwise cache the old value again for CACHE_SECONDS.
    Until then this session reads its own writes uncached, so nobody else is served a value
    that may yet be rolled back."""
    session.sync_session.info[_WRITING] = True


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget_after_write(session: Session) -> None:
    if session.info.pop(_WRITING, None):
        clear_config_cache()


async def get_config(session: AsyncSession) -> WorkspaceConfig:
    key = str(session.get_bind().engine.url)
    writing = bool(session.sync_session.info.get(_WRITING))
    cached = None if writing else _cache.get(key)
    if cached is not None and time.monotonic() - cached[0] < CACHE_SECONDS:
        return cached[1]
    rows = (await session.scalars(select(WorkspaceSetting))).all()
    stored = {row.key: row.value for row in rows if row.key in WorkspaceConfig.__struct_fields__}
    config = msgspec.convert(stored, WorkspaceConfig)
    if not writing:
        _cache[key] = (time.monotonic(), config)
    return config


async def update_config(session: AsyncSession, patch: WorkspacePatch) -> WorkspaceConfig:
    changes: dict[str, Any] = {
        k: getattr(patch, k) for k in patch.__struct_fields__ if getattr(patch, k) is not None
    }
    current = await get_config(session)
    merged = msgspec.structs.replace(current, **changes)
    _validate(merged)
    for key, value in changes.items():
        row = await session.get(WorkspaceSetting, key)
        if row is None:
            session.add(WorkspaceSetting(key=key, value=value))
        else:
            row.value = value
    await session.flush()
    clear_config_cache()
    _clear_when_transaction_ends(session)
    return merged
