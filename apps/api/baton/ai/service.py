"""AI administration: providers (keys sealed under the master key), auto-reply rules, the
accuracy log and agents' verdicts. Flushes, never commits."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from baton.ai import setup_cache
from baton.ai.autoreply import MATCHES
from baton.ai.fleet import (
    Emit,
    FleetState,
    Outcome,
    check,
    health_of,
    key_context,
    load_members,
    member_of,
    prepare,
    record_health,
)
from baton.ai.models import AIProvider, AIReplyLog, AutoReplyRule
from baton.ai.providers import KINDS
from baton.ai.schemas import (
    CheckOut,
    FleetMemberOut,
    HealthOut,
    LogSummaryRow,
    ProviderIn,
    ProviderPatch,
    RuleIn,
    RulePatch,
    VerdictIn,
)
from baton.auth.principal import Principal
from baton.canned.rules import link
from baton.conversations import policy
from baton.conversations.models import Conversation
from baton.db.base import utcnow
from baton.kit.errors import NotFound, ValidationFailed
from baton.kit.ids import uuid7
from baton.kit.outbound import check_outbound_url
from baton.kit.pagination import keyset, page_cursor
from baton.kit.uow import UnitOfWork, unit_of_work
from baton.runtime import Runtime
from baton.workspace.service import get_config

DEFAULT_MODELS = {
    "openai": "gpt-4o-mini",
    "anthropic": "claude-haiku-4-5",
    "gemini": "gemini-2.5-flash",
    "builtin": "bm25",
}
RESPONSE_TYPES = ("auto_reply", "knowledge_base", "llm", "fallback")
OUTCOMES = ("answered", "no_answer", "handoff", "interrupted", "failed")
VERDICTS = ("good", "bad", "corrected")

# -- providers ------------------------------------------------------------------------------


def default_vision(kind: str, base_url: str | None) -> bool:
    """Whether a provider accepts images unless the admin says otherwise."""
    if kind == "builtin":
        return False
    return kind != "openai" or base_url is None


def _check_url(url: str | None) -> str | None:
    if url is None or not url.strip():
        return None
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValidationFailed("base_url must be an http(s) URL", code="invalid_base_url")
    return url


async def check_reachable(runtime: Runtime, url: str | None) -> None:
    """The server may call ``url``: not an internal address unless allowed (kit/outbound)."""
    if url is not None:
        await check_outbound_url(
            url,
            allow=runtime.settings.outbound_allow,
            allow_private=runtime.settings.allow_private_outbound,
            field="base_url",
        )


def _check_provider(p: AIProvider) -> None:
    if p.kind not in KINDS:
        raise ValidationFailed(f"kind must be one of {', '.join(KINDS)}", code="invalid_kind")
    if not p.name.strip():
        raise ValidationFailed("name must not be empty", code="invalid_name")
    if not p.model.strip():
        raise ValidationFailed("model must not be empty", code="invalid_model")
    if p.kind == "builtin" and (p.base_url or p.api_key_sealed):
        raise ValidationFailed(
            "the built-in responder takes no base_url or api_key", code="invalid_provider"
        )
    if p.kind == "builtin" and p.vision:
        raise ValidationFailed(
            "the built-in responder cannot see images (vision: false)", code="invalid_provider"
        )
    if p.kind in ("anthropic", "gemini") and not p.api_key_sealed:
        raise ValidationFailed(f"a {p.kind} provider needs an api_key", code="api_key_required")
    checks: list[tuple[str, float, float, float]] = [
        ("priority", p.priority, 0, 10_000),
        ("timeout_seconds", p.timeout_seconds, 0.1, 600),
        ("first_token_seconds", p.first_token_seconds, 0.05, 600),
        ("max_retries", p.max_retries, 0, 5),
        ("failure_threshold", p.failure_threshold, 1, 100),
        ("cooldown_seconds", p.cooldown_seconds, 0.1, 86_400),
    ]
    for name, value, low, high in checks:
        if not low <= value <= high:
            raise ValidationFailed(f"{name} must be between {low:g} and {high:g}")


def _seal(uow: UnitOfWork, provider: AIProvider, api_key: str | None) -> None:
    if api_key is None or not api_key.strip():
        provider.api_key_sealed = None
        return
    provider.api_key_sealed = uow.runtime.envelope.encrypt(
        api_key.strip(), context=key_context(provider.id)
    )


async def list_providers(session: AsyncSession) -> list[AIProvider]:
    rows = await session.scalars(
        select(AIProvider).order_by(AIProvider.priority, AIProvider.created_at, AIProvider.id)
    )
    return list(rows)


async def get_provider(session: AsyncSession, provider_id: uuid.UUID) -> AIProvider:
    provider = await session.get(AIProvider, provider_id)
    if provider is None:
        raise NotFound("no such provider")
    return provider


async def create_provider(uow: UnitOfWork, data: ProviderIn) -> AIProvider:
    if data.kind not in KINDS:
        raise ValidationFailed(f"kind must be one of {', '.join(KINDS)}", code="invalid_kind")
    base_url = _check_url(data.base_url)
    provider = AIProvider(
        id=uuid7(),  # the sealed key is bound to the id
        kind=data.kind,
        name=data.name.strip(),
        model=(data.model or DEFAULT_MODELS[data.kind]).strip(),
        base_url=base_url,
        priority=data.priority,
        enabled=data.enabled,
        use_tools=data.use_tools,
        vision=default_vision(data.kind, base_url) if data.vision is None else data.vision,
        timeout_seconds=data.timeout_seconds,
        first_token_seconds=data.first_token_seconds,
        max_retries=data.max_retries,
        failure_threshold=data.failure_threshold,
        cooldown_seconds=data.cooldown_seconds,
        consecutive_failures=0,
    )
    _seal(uow, provider, data.api_key)
    _check_provider(provider)
    await check_reachable(uow.runtime, provider.base_url)
    uow.session.add(provider)
    await uow.session.flush()
    return provider


async def update_provider(uow: UnitOfWork, provider: AIProvider, data: ProviderPatch) -> AIProvider:
    changes = {
        f: getattr(data, f)
        for f in data.__struct_fields__
        if getattr(data, f) is not msgspec.UNSET and f != "api_key"
    }
    for field in ("name", "model"):
        if field in changes:
            changes[field] = changes[field].strip()
    if "base_url" in changes:
        changes["base_url"] = _check_url(changes["base_url"])
    # the key is bound to its endpoint: sending it somewhere else needs the key again, or
    # anyone holding an admin token could read it back through a listener of their own
    endpoint_moves = any(
        f in changes and changes[f] != getattr(provider, f) for f in ("base_url", "kind")
    )
    if endpoint_moves and provider.api_key_sealed and data.api_key is msgspec.UNSET:
        raise ValidationFailed(
            "changing base_url or kind needs the api_key again (or api_key: null to drop it)",
            code="api_key_required",
        )
    if endpoint_moves:
        await check_reachable(uow.runtime, changes.get("base_url", provider.base_url))
    config_changed = False
    for field, value in changes.items():
        if getattr(provider, field) != value:
            setattr(provider, field, value)
            config_changed = True
    if data.api_key is not msgspec.UNSET:
        _seal(uow, provider, data.api_key)
        config_changed = True
    _check_provider(provider)
    if config_changed:  # a fixed configuration deserves a fresh start
        provider.consecutive_failures = 0
        provider.open_until = None
    provider.updated_at = utcnow()
    await uow.session.flush()
    return provider


async def delete_provider(session: AsyncSession, provider: AIProvider) -> None:
    await session.delete(provider)
    await session.flush()


async def fleet_view(uow: UnitOfWork) -> list[FleetMemberOut]:
    members = await load_members(uow)
    return [
        FleetMemberOut(
            position=n,
            source=m.source,
            provider_id=m.provider_id,
            kind=m.kind,
            name=m.name,
            model=m.model,
            usable=m.unusable is None,
            health=HealthOut.of(m.health, m.threshold),
            vision=m.vision,
        )
        for n, m in enumerate(members, start=1)
    ]


# -- auto-reply rules ------------------------------------------------------------------------


def _check_rule(rule: AutoReplyRule) -> None:
    if rule.match not in MATCHES:
        raise ValidationFailed(f"match must be one of {', '.join(MATCHES)}", code="invalid_match")
    if not rule.name.strip():
        raise ValidationFailed("name must not be empty", code="invalid_name")
    patterns = [p for p in rule.patterns if p.strip()]
    if not patterns or len(patterns) > 50:
        raise ValidationFailed("patterns: 1-50 non-empty patterns", code="invalid_patterns")
    if not rule.response.strip():
        raise ValidationFailed("response must not be empty", code="invalid_response")
    if len(rule.suggestions) > 3 or any(not s.strip() for s in rule.suggestions):
        raise ValidationFailed("suggestions: up to 3 non-empty", code="invalid_suggestions")
    if not 0 <= rule.priority <= 10_000:
        raise ValidationFailed("priority must be between 0 and 10000")


async def list_rules(session: AsyncSession) -> list[AutoReplyRule]:
    rows = await session.scalars(
        select(AutoReplyRule).order_by(
            AutoReplyRule.priority, AutoReplyRule.created_at, AutoReplyRule.id
        )
    )
    return list(rows)


async def get_rule(session: AsyncSession, rule_id: uuid.UUID) -> AutoReplyRule:
    rule = await session.get(AutoReplyRule, rule_id)
    if rule is None:
        raise NotFound("no such auto-reply rule")
    return rule


async def create_rule(session: AsyncSession, data: RuleIn) -> AutoReplyRule:
    rule = AutoReplyRule(
        name=data.name.strip(),
        match=data.match,
        patterns=[p.strip() for p in data.patterns if p.strip()],
        response=data.response.strip(),
        suggestions=[s.strip() for s in data.suggestions],
        priority=data.priority,
        enabled=data.enabled,
    )
    await link(session, rule, data.canned_response_id)
    _check_rule(rule)
    session.add(rule)
    await session.flush()
    return rule


async def update_rule(session: AsyncSession, rule: AutoReplyRule, data: RulePatch) -> AutoReplyRule:
    if data.name is not None:
        rule.name = data.name.strip()
    if data.match is not None:
        rule.match = data.match
    if data.patterns is not None:
        rule.patterns = [p.strip() for p in data.patterns if p.strip()]
    if data.response is not None:
        rule.response = data.response.strip()
    if data.suggestions is not None:
        rule.suggestions = [s.strip() for s in data.suggestions]
    if data.priority is not None:
        rule.priority = data.priority
    if data.enabled is not None:
        rule.enabled = data.enabled
    if not isinstance(data.canned_response_id, msgspec.UnsetType):
        await link(session, rule, data.canned_response_id)
    _check_rule(rule)
    rule.updated_at = utcnow()
    await session.flush()
    return rule


async def delete_rule(session: AsyncSession, rule: AutoReplyRule) -> None:
    await session.delete(rule)
    await session.flush()


# -- the accuracy log ------------------------------------------------------------------------


def _one_of(name: str, value: str | None, allowed: tuple[str, ...]) -> None:
    if value is not None and value not in allowed:
        raise ValidationFailed(f"{name} must be one of {', '.join(allowed)}")


def _visible_logs(principal: Principal) -> Any:
    """The reply logs of the conversations ``principal`` may read (conversations' policy)."""
    stmt = select(AIReplyLog)
    if policy.sees_all(principal):
        return stmt
    joined = stmt.join(Conversation, Conversation.id == AIReplyLog.conversation_id)
    return policy.scoped(joined, principal)


async def list_logs(
    session: AsyncSession,
    principal: Principal,
    *,
    conversation_id: uuid.UUID | None,
    response_type: str | None,
    outcome: str | None,
    verdict: str | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[AIReplyLog], str | None]:
    _one_of("response_type", response_type, RESPONSE_TYPES)
    _one_of("outcome", outcome, OUTCOMES)
    _one_of("verdict", verdict, (*VERDICTS, "none"))
    stmt = _visible_logs(principal)
    if conversation_id is not None:
        stmt = stmt.where(AIReplyLog.conversation_id == conversation_id)
    if response_type is not None:
        stmt = stmt.where(AIReplyLog.response_type == response_type)
    if outcome is not None:
        stmt = stmt.where(AIReplyLog.outcome == outcome)
    if verdict == "none":
        stmt = stmt.where(AIReplyLog.verdict.is_(None))
    elif verdict is not None:
        stmt = stmt.where(AIReplyLog.verdict == verdict)
    stmt = keyset(stmt, [AIReplyLog.id], descending=True, cursor=cursor, limit=limit)
    rows = list((await session.scalars(stmt)).all())
    return page_cursor(rows, limit, lambda r: [r.id])


async def get_log(session: AsyncSession, principal: Principal, log_id: uuid.UUID) -> AIReplyLog:
    """A log of a conversation the caller may not read is a 404, like the conversation."""
    row: AIReplyLog | None = await session.scalar(
        _visible_logs(principal).where(AIReplyLog.id == log_id)
    )
    if row is None:
        raise NotFound("no such AI reply")
    return row


async def set_verdict(
    session: AsyncSession, row: AIReplyLog, data: VerdictIn, by: uuid.UUID | None
) -> AIReplyLog:
    _one_of("verdict", data.verdict, VERDICTS)
    correction = (data.correction or "").strip() or None
    if data.verdict == "corrected" and correction is None:
        raise ValidationFailed(
            "a corrected verdict needs the correct answer in correction", code="correction_required"
        )
    row.verdict = data.verdict
    row.correction = correction if data.verdict == "corrected" else None
    row.verdict_note = (data.note or "").strip() or None
    row.verdict_by_id = by
    row.verdict_at = utcnow()
    await session.flush()
    return row


async def summary(
    session: AsyncSession, principal: Principal, since: datetime | None
) -> list[LogSummaryRow]:
    stmt = _visible_logs(principal)
    if since is not None:
        stmt = stmt.where(AIReplyLog.created_at >= since)
    groups: dict[tuple[str, str | None], list[AIReplyLog]] = defaultdict(list)
    for row in (await session.scalars(stmt)).all():
        groups[(row.response_type, row.provider_name)].append(row)

    def avg(values: list[Any]) -> float | None:
        found = [v for v in values if v is not None]
        return round(sum(found) / len(found), 1) if found else None

    out: list[LogSummaryRow] = []
    for (response_type, provider), rows in sorted(groups.items(), key=lambda kv: str(kv[0])):
        outcomes = [r.outcome for r in rows]
        verdicts = [r.verdict for r in rows]
        out.append(
            LogSummaryRow(
                response_type=response_type,
                provider_name=provider,
                replies=len(rows),
                answered=outcomes.count("answered"),
                no_answer=outcomes.count("no_answer"),
                handoffs=outcomes.count("handoff"),
                failed=outcomes.count("failed"),
                failovers=sum(r.failovers for r in rows),
                avg_first_token_ms=avg([r.first_token_ms for r in rows]),
                avg_total_ms=avg([r.total_ms for r in rows]),
                good=verdicts.count("good"),
                bad=verdicts.count("bad"),
                corrected=verdicts.count("corrected"),
            )
        )
    return out


async def check_provider(
    runtime: Runtime, provider_id: uuid.UUID, *, sample: Emit | None = None
) -> CheckOut:
    """Send one request to a provider (enabled or not) and record the result in its health.
    A tiny connectivity check, or with ``sample`` a sample answer under the workspace's
    system prompt, streamed piece by piece to ``sample``. No transaction is open while the
    provider answers."""
    async with unit_of_work(runtime) as uow:
        provider = await get_provider(uow.session, provider_id)
        member = member_of(provider, runtime.envelope)
        base_url = provider.base_url
        prompt = (await get_config(uow.session)).system_prompt if sample else None
    await check_reachable(runtime, base_url)  # again: DNS may have changed since it was saved
    await prepare([member], runtime.slot(FleetState))
    if sample is not None:
        attempt, first_token_ms, total_ms = await check(member, sample_prompt=prompt, emit=sample)
    else:
        attempt, first_token_ms, total_ms = await check(member)
    async with unit_of_work(runtime) as uow:
        await record_health(uow, [Outcome(member, attempt.error)])
        row = await uow.session.get(AIProvider, provider_id, populate_existing=True)
        health = health_of(row) if row is not None else member.health
    setup_cache.changed()  # replies take the breaker health this check wrote, at once
    return CheckOut(
        ok=attempt.error is None,
        error=attempt.error.summary() if attempt.error else None,
        first_token_ms=first_token_ms,
        total_ms=total_ms,
        reply="".join(attempt.parts)[: 2000 if sample else 200],
        health=HealthOut.of(health, member.threshold),
    )
