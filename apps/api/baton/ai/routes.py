"""REST for the AI layer: providers and auto-replies (ai:manage), the accuracy log and
verdicts (ai:review), and the AI settings (system prompt, context size, welcome message)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import msgspec
from litestar import Controller, delete, get, patch, post
from litestar.params import Parameter
from litestar.response import ServerSentEvent
from litestar.status_codes import HTTP_200_OK, HTTP_204_NO_CONTENT

from baton.ai import autoreply, service
from baton.ai.models import AIProvider, AutoReplyRule
from baton.ai.sample import sample_events
from baton.ai.schemas import (
    AISettings,
    AISettingsPatch,
    CheckOut,
    FleetOut,
    LogSummary,
    ProviderIn,
    ProviderList,
    ProviderOut,
    ProviderPatch,
    ReplyLogOut,
    ReplyLogPage,
    RuleIn,
    RuleList,
    RuleOut,
    RulePatch,
    RuleTestIn,
    RuleTestOut,
    VerdictIn,
)
from baton.audit.service import diff, record_audit
from baton.auth.edge import requires
from baton.auth.permissions import Permission
from baton.auth.principal import Principal
from baton.copilot.mood import LlmPresence
from baton.kit.http import errors
from baton.kit.pagination import check_limit
from baton.kit.uow import UnitOfWork, unit_of_work
from baton.runtime import Runtime
from baton.workspace import service as workspace
from baton.workspace.service import WorkspacePatch

_PROVIDER_FIELDS = (
    "kind",
    "name",
    "model",
    "base_url",
    "priority",
    "enabled",
    "use_tools",
    "vision",
    "timeout_seconds",
    "first_token_seconds",
    "max_retries",
    "failure_threshold",
    "cooldown_seconds",
)


def _provider_audit(p: AIProvider) -> dict[str, Any]:
    # the key itself never: only whether one is set (and, by the sealed value, if it changed)
    values: dict[str, Any] = {f: getattr(p, f) for f in _PROVIDER_FIELDS}
    values["has_api_key"] = bool(p.api_key_sealed)
    return values


def _rule_audit(r: AutoReplyRule) -> dict[str, Any]:
    return {
        f: getattr(r, f)
        for f in ("name", "match", "patterns", "response", "suggestions", "priority", "enabled")
    }


class ProvidersController(Controller):
    path = "/api/v1/ai/providers"
    tags = ["ai"]
    guards = [requires(Permission.AI_MANAGE)]

    @get("/", responses=errors(403))
    async def list_providers(self, uow: UnitOfWork) -> ProviderList:
        return ProviderList([ProviderOut.of(p) for p in await service.list_providers(uow.session)])

    @post("/", responses=errors(403))
    async def create_provider(
        self, uow: UnitOfWork, principal: Principal, data: ProviderIn
    ) -> ProviderOut:
        provider = await service.create_provider(uow, data)
        uow.runtime.slot(LlmPresence).forget()  # this process asks again at the next message
        record_audit(
            uow,
            principal,
            "ai.provider_created",
            "ai_provider",
            provider.id,
            diff({}, _provider_audit(provider)),
        )
        return ProviderOut.of(provider)

    @get("/{provider_id:uuid}", responses=errors(403, 404))
    async def get_provider(self, uow: UnitOfWork, provider_id: uuid.UUID) -> ProviderOut:
        return ProviderOut.of(await service.get_provider(uow.session, provider_id))

    @patch("/{provider_id:uuid}", responses=errors(403, 404))
    async def update_provider(
        self, uow: UnitOfWork, principal: Principal, provider_id: uuid.UUID, data: ProviderPatch
    ) -> ProviderOut:
        provider = await service.get_provider(uow.session, provider_id)
        before, sealed = _provider_audit(provider), provider.api_key_sealed
        await service.update_provider(uow, provider, data)
        uow.runtime.slot(LlmPresence).forget()
        changes = diff(before, _provider_audit(provider))
        if provider.api_key_sealed != sealed:
            changes["api_key"] = {
                "before": sealed and "x",
                "after": provider.api_key_sealed and "x",
            }
        if changes:
            record_audit(uow, principal, "ai.provider_updated", "ai_provider", provider.id, changes)
        return ProviderOut.of(provider)

    @post("/{provider_id:uuid}/check", status_code=HTTP_200_OK, responses=errors(403, 404))
    async def check_provider(self, runtime: Runtime, provider_id: uuid.UUID) -> CheckOut:
        """Health check: one tiny real request (works on a disabled provider too); the
        result is recorded in the provider's health like any attempt."""
        return await service.check_provider(runtime, provider_id)

    @post(
        "/{provider_id:uuid}/sample",
        status_code=HTTP_200_OK,
        media_type="text/event-stream",
        responses=errors(403, 404),
    )
    async def sample_provider(self, runtime: Runtime, provider_id: uuid.UUID) -> ServerSentEvent:
        """The "Test" button: a sample answer to a visitor's question under the workspace's
        system prompt, streamed as Server-Sent Events as the provider writes it: ``delta
        {text}`` pieces, then ``done`` (the check's result, recorded in the provider's health)
        or ``error {error, detail}`` (docs/ai.md). Works on a disabled provider too."""
        async with unit_of_work(runtime) as uow:  # a 404 before the stream starts
            await service.get_provider(uow.session, provider_id)
        return ServerSentEvent(sample_events(runtime, provider_id))

    @delete("/{provider_id:uuid}", status_code=HTTP_204_NO_CONTENT, responses=errors(403, 404))
    async def delete_provider(
        self, uow: UnitOfWork, principal: Principal, provider_id: uuid.UUID
    ) -> None:
        provider = await service.get_provider(uow.session, provider_id)
        before = _provider_audit(provider)
        await service.delete_provider(uow.session, provider)
        uow.runtime.slot(LlmPresence).forget()
        record_audit(
            uow, principal, "ai.provider_deleted", "ai_provider", provider_id, diff(before, {})
        )


class AIController(Controller):
    path = "/api/v1/ai"
    tags = ["ai"]
    guards = [requires(Permission.AI_MANAGE)]

    @get("/fleet", responses=errors(403))
    async def fleet(self, uow: UnitOfWork) -> FleetOut:
        """The fleet as the next reply would use it, with each member's health."""
        return FleetOut(await service.fleet_view(uow))

    @get("/settings", responses=errors(403))
    async def get_settings(self, uow: UnitOfWork) -> AISettings:
        config = await workspace.get_config(uow.session)
        return AISettings.of(config)

    @patch("/settings", responses=errors(403))
    async def update_settings(
        self, uow: UnitOfWork, principal: Principal, data: AISettingsPatch
    ) -> AISettings:
        before = await workspace.get_config(uow.session)
        config = await workspace.update_config(
            uow.session,
            WorkspacePatch(
                system_prompt=data.system_prompt,
                context_messages=data.context_messages,
                welcome_message=data.welcome_message,
                image_analysis_prompt=data.image_analysis_prompt,
                redact_pii_in_prompts=data.redact_pii_in_prompts,
            ),
        )
        changes = diff(msgspec.to_builtins(before), msgspec.to_builtins(config))
        if changes:
            record_audit(uow, principal, "ai.settings_updated", "settings", "ai", changes)
        return AISettings.of(config)


class AutoRepliesController(Controller):
    path = "/api/v1/ai/auto-replies"
    tags = ["ai"]
    guards = [requires(Permission.AI_MANAGE)]

    @get("/", responses=errors(403))
    async def list_rules(self, uow: UnitOfWork) -> RuleList:
        return RuleList([RuleOut.of(r) for r in await service.list_rules(uow.session)])

    @post("/", responses=errors(403))
    async def create_rule(self, uow: UnitOfWork, principal: Principal, data: RuleIn) -> RuleOut:
        rule = await service.create_rule(uow.session, data)
        record_audit(
            uow,
            principal,
            "ai.auto_reply_created",
            "auto_reply",
            rule.id,
            diff({}, _rule_audit(rule)),
        )
        return RuleOut.of(rule)

    @post("/test", status_code=HTTP_200_OK, responses=errors(403))
    async def test_rules(self, uow: UnitOfWork, data: RuleTestIn) -> RuleTestOut:
        """Which rule (if any) would answer this text."""
        rule = await autoreply.find_rule(uow.session, data.text)
        return RuleTestOut(RuleOut.of(rule) if rule else None)

    @get("/{rule_id:uuid}", responses=errors(403, 404))
    async def get_rule(self, uow: UnitOfWork, rule_id: uuid.UUID) -> RuleOut:
        return RuleOut.of(await service.get_rule(uow.session, rule_id))

    @patch("/{rule_id:uuid}", responses=errors(403, 404))
    async def update_rule(
        self, uow: UnitOfWork, principal: Principal, rule_id: uuid.UUID, data: RulePatch
    ) -> RuleOut:
        rule = await service.get_rule(uow.session, rule_id)
        before = _rule_audit(rule)
        await service.update_rule(uow.session, rule, data)
        changes = diff(before, _rule_audit(rule))
        if changes:
            record_audit(uow, principal, "ai.auto_reply_updated", "auto_reply", rule.id, changes)
        return RuleOut.of(rule)

    @delete("/{rule_id:uuid}", status_code=HTTP_204_NO_CONTENT, responses=errors(403, 404))
    async def delete_rule(self, uow: UnitOfWork, principal: Principal, rule_id: uuid.UUID) -> None:
        rule = await service.get_rule(uow.session, rule_id)
        before = _rule_audit(rule)
        await service.delete_rule(uow.session, rule)
        record_audit(
            uow, principal, "ai.auto_reply_deleted", "auto_reply", rule_id, diff(before, {})
        )


class AILogsController(Controller):
    path = "/api/v1/ai/logs"
    tags = ["ai"]
    guards = [requires(Permission.AI_REVIEW)]

    @get("/", responses=errors(403))
    async def list_logs(
        self,
        uow: UnitOfWork,
        principal: Principal,
        conversation_id: uuid.UUID | None = None,
        response_type: str | None = Parameter(
            default=None, description="auto_reply, knowledge_base, llm, fallback"
        ),
        outcome: str | None = Parameter(
            default=None, description="answered, no_answer, handoff, interrupted, failed"
        ),
        verdict: str | None = Parameter(
            default=None, description="good, bad, corrected, or none (not reviewed yet)"
        ),
        limit: int = Parameter(default=50, description="1-200"),
        cursor: str | None = None,
    ) -> ReplyLogPage:
        rows, next_cursor = await service.list_logs(
            uow.session,
            principal,
            conversation_id=conversation_id,
            response_type=response_type,
            outcome=outcome,
            verdict=verdict,
            limit=check_limit(limit),
            cursor=cursor,
        )
        return ReplyLogPage([ReplyLogOut.of(r) for r in rows], next_cursor)

    @get("/summary", responses=errors(403))
    async def summary(
        self, uow: UnitOfWork, principal: Principal, since: datetime | None = None
    ) -> LogSummary:
        """Replies, outcomes, failovers, latency and verdicts per response type and provider,
        over the conversations the caller may read."""
        return LogSummary(await service.summary(uow.session, principal, since))

    @get("/{log_id:uuid}", responses=errors(403, 404))
    async def get_log(
        self, uow: UnitOfWork, principal: Principal, log_id: uuid.UUID
    ) -> ReplyLogOut:
        return ReplyLogOut.of(await service.get_log(uow.session, principal, log_id))

    @post("/{log_id:uuid}/verdict", status_code=HTTP_200_OK, responses=errors(403, 404))
    async def set_verdict(
        self, uow: UnitOfWork, principal: Principal, log_id: uuid.UUID, data: VerdictIn
    ) -> ReplyLogOut:
        row = await service.get_log(uow.session, principal, log_id)
        return ReplyLogOut.of(await service.set_verdict(uow.session, row, data, principal.user_id))
