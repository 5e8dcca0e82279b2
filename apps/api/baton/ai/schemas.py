from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

import msgspec

from baton.ai.fleet import Health, health_of
from baton.ai.models import AIProvider, AIReplyLog, AutoReplyRule

Name = Annotated[str, msgspec.Meta(max_length=80)]
Model = Annotated[str, msgspec.Meta(max_length=120)]
Url = Annotated[str, msgspec.Meta(max_length=500)]
Secret = Annotated[
    str,
    msgspec.Meta(
        max_length=1000,
        description="Write-only: stored sealed, never returned (see has_api_key).",
        extra_json_schema={"writeOnly": True},
    ),
]
Text = Annotated[str, msgspec.Meta(max_length=20_000)]


class HealthOut(msgspec.Struct):
    state: str  # closed | open | half_open
    consecutive_failures: int
    open_until: datetime | None
    last_error: str | None
    last_failure_at: datetime | None
    last_success_at: datetime | None

    @classmethod
    def of(cls, health: Health, threshold: int) -> HealthOut:
        return msgspec.convert(health.as_dict(threshold), cls, from_attributes=True)


class ProviderOut(msgspec.Struct):
    """A provider as admins see it. The key itself is never returned: only whether one is set."""

    id: uuid.UUID
    kind: str
    name: str
    model: str
    base_url: str | None
    has_api_key: bool
    priority: int
    enabled: bool
    use_tools: bool
    vision: bool
    timeout_seconds: float
    first_token_seconds: float
    max_retries: int
    failure_threshold: int
    cooldown_seconds: float
    health: HealthOut
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, p: AIProvider) -> ProviderOut:
        return cls(
            id=p.id,
            kind=p.kind,
            name=p.name,
            model=p.model,
            base_url=p.base_url,
            has_api_key=bool(p.api_key_sealed),
            priority=p.priority,
            enabled=p.enabled,
            use_tools=p.use_tools,
            vision=p.vision,
            timeout_seconds=p.timeout_seconds,
            first_token_seconds=p.first_token_seconds,
            max_retries=p.max_retries,
            failure_threshold=p.failure_threshold,
            cooldown_seconds=p.cooldown_seconds,
            health=HealthOut.of(health_of(p), p.failure_threshold),
            created_at=p.created_at,
            updated_at=p.updated_at,
        )


class ProviderList(msgspec.Struct):
    items: list[ProviderOut]


class ProviderIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    kind: str
    name: Name
    model: Model | None = None
    base_url: Url | None = None
    api_key: Secret | None = None
    priority: int = 100
    enabled: bool = True
    use_tools: bool = True
    # accepts images; absent: true for OpenAI (its own endpoint), Anthropic and Gemini, false
    # for an OpenAI-compatible base_url (many local models take no images) and the built-in
    vision: bool | None = None
    timeout_seconds: float = 60.0
    first_token_seconds: float = 10.0
    max_retries: int = 1
    failure_threshold: int = 3
    cooldown_seconds: float = 30.0


class ProviderPatch(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Absent fields are kept; ``api_key: null`` removes the stored key."""

    name: Name | msgspec.UnsetType = msgspec.UNSET
    model: Model | msgspec.UnsetType = msgspec.UNSET
    base_url: Url | msgspec.UnsetType | None = msgspec.UNSET
    api_key: Secret | msgspec.UnsetType | None = msgspec.UNSET
    priority: int | msgspec.UnsetType = msgspec.UNSET
    enabled: bool | msgspec.UnsetType = msgspec.UNSET
    use_tools: bool | msgspec.UnsetType = msgspec.UNSET
    vision: bool | msgspec.UnsetType = msgspec.UNSET
    timeout_seconds: float | msgspec.UnsetType = msgspec.UNSET
    first_token_seconds: float | msgspec.UnsetType = msgspec.UNSET
    max_retries: int | msgspec.UnsetType = msgspec.UNSET
    failure_threshold: int | msgspec.UnsetType = msgspec.UNSET
    cooldown_seconds: float | msgspec.UnsetType = msgspec.UNSET


class FleetMemberOut(msgspec.Struct):
    """One link of the fleet as it would run now (configured, from the environment, built-in)."""

    position: int
    source: str  # db | env | builtin
    provider_id: uuid.UUID | None
    kind: str
    name: str
    model: str
    usable: bool
    health: HealthOut
    vision: bool = False  # takes image turns (the others are skipped for them)


class FleetOut(msgspec.Struct):
    members: list[FleetMemberOut]


class RuleOut(msgspec.Struct):
    id: uuid.UUID
    name: str
    match: str
    patterns: list[str]
    response: str
    suggestions: list[str]
    priority: int
    enabled: bool
    created_at: datetime
    updated_at: datetime
    canned_response_id: uuid.UUID | None = None

    @classmethod
    def of(cls, r: AutoReplyRule) -> RuleOut:
        return cls(
            r.id,
            r.name,
            r.match,
            list(r.patterns),
            r.response,
            list(r.suggestions),
            r.priority,
            r.enabled,
            r.created_at,
            r.updated_at,
            r.canned_response_id,
        )


class RuleList(msgspec.Struct):
    items: list[RuleOut]


class RuleIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: Annotated[str, msgspec.Meta(max_length=120)]
    match: str
    patterns: list[Annotated[str, msgspec.Meta(max_length=500)]]
    response: Text = ""  # may be empty when ``canned_response_id`` names the answer
    suggestions: list[Annotated[str, msgspec.Meta(max_length=80)]] = msgspec.field(
        default_factory=list
    )
    priority: int = 100
    enabled: bool = True
    canned_response_id: uuid.UUID | None = None


class RulePatch(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: Annotated[str, msgspec.Meta(max_length=120)] | None = None
    match: str | None = None
    patterns: list[Annotated[str, msgspec.Meta(max_length=500)]] | None = None
    response: Text | None = None
    suggestions: list[Annotated[str, msgspec.Meta(max_length=80)]] | None = None
    priority: int | None = None
    enabled: bool | None = None
    # null unlinks the canned response; leaving it out keeps the link
    canned_response_id: uuid.UUID | msgspec.UnsetType | None = msgspec.UNSET


class RuleTestIn(msgspec.Struct, forbid_unknown_fields=True):
    text: Annotated[str, msgspec.Meta(max_length=10_000)]


class RuleTestOut(msgspec.Struct):
    rule: RuleOut | None


class ReplyLogOut(msgspec.Struct):
    id: uuid.UUID
    conversation_id: uuid.UUID
    message_id: uuid.UUID | None
    question_message_id: uuid.UUID | None
    question: str
    answer: str
    response_type: str
    outcome: str
    provider_id: uuid.UUID | None
    provider_kind: str | None
    provider_name: str | None
    model: str | None
    confidence: float | None
    first_token_ms: int | None
    total_ms: int
    prompt_tokens: int | None
    completion_tokens: int | None
    failovers: int
    attempts: list[dict[str, Any]]
    sources: list[dict[str, Any]]
    handoff_reason: str | None
    verdict: str | None
    correction: str | None
    verdict_note: str | None
    verdict_by_id: uuid.UUID | None
    verdict_at: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, r: AIReplyLog) -> ReplyLogOut:
        return cls(
            **{f: getattr(r, f) for f in cls.__struct_fields__},  # type: ignore[arg-type]
        )


class ReplyLogPage(msgspec.Struct):
    items: list[ReplyLogOut]
    next_cursor: str | None


class VerdictIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    verdict: str  # good | bad | corrected
    correction: Text | None = None
    note: Annotated[str, msgspec.Meta(max_length=500)] | None = None


class AISettings(msgspec.Struct):
    system_prompt: str
    context_messages: int
    welcome_message: str
    # follows the system prompt when the visitor's messages carry images (vision providers)
    image_analysis_prompt: str
    # emails, phone and card numbers, IBANs, SSNs masked in what LLM providers are sent
    redact_pii_in_prompts: bool

    @classmethod
    def of(cls, config: Any) -> AISettings:
        return cls(
            config.system_prompt,
            config.context_messages,
            config.welcome_message,
            config.image_analysis_prompt,
            config.redact_pii_in_prompts,
        )


class AISettingsPatch(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    system_prompt: Text | None = None
    context_messages: int | None = None
    welcome_message: Annotated[str, msgspec.Meta(max_length=2000)] | None = None
    image_analysis_prompt: Text | None = None
    redact_pii_in_prompts: bool | None = None


class LogSummaryRow(msgspec.Struct):
    response_type: str
    provider_name: str | None
    replies: int
    answered: int
    no_answer: int
    handoffs: int
    failed: int
    failovers: int
    avg_first_token_ms: float | None
    avg_total_ms: float | None
    good: int
    bad: int
    corrected: int


class LogSummary(msgspec.Struct):
    rows: list[LogSummaryRow]


class CheckOut(msgspec.Struct):
    """The result of a health check: one tiny real request to the provider."""

    ok: bool
    error: str | None
    first_token_ms: int | None
    total_ms: int
    reply: str
    health: HealthOut
