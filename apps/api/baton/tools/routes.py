"""Actions for agents (list a conversation's, approve, reject) and tool integrations for
admins (the registry's tools, HTTP endpoints that serve tools)."""

from __future__ import annotations

import secrets
import uuid
from typing import Any

import msgspec
from litestar import Controller, delete, get, patch, post
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT
from sqlalchemy import select

from baton.audit.service import record_audit
from baton.auth.edge import requires
from baton.auth.permissions import Permission
from baton.auth.principal import Principal
from baton.kit.errors import NotFound, ValidationFailed
from baton.kit.http import errors
from baton.kit.ids import uuid7
from baton.kit.outbound import check_outbound_url
from baton.kit.uow import UnitOfWork
from baton.runtime import Runtime
from baton.tools import http
from baton.tools.models import ToolIntegration
from baton.tools.registry import INTERNAL_NAMES, NAME, POLICIES, check_schema
from baton.tools.schemas import (
    ActionOut,
    ActionPage,
    DeclaredTool,
    IntegrationIn,
    IntegrationOut,
    IntegrationPage,
    IntegrationPatch,
    ToolOut,
    ToolPage,
)
from baton.tools.service import actions_of, decide, registry_of

MAX_TOOLS = 50


class ConversationActionsController(Controller):
    path = "/api/v1/conversations/{conversation_id:uuid}/actions"
    tags = ["actions"]
    guards = [requires(Permission.CONVERSATIONS_READ)]

    @get("/", responses=errors(403, 404))
    async def list_actions(
        self, uow: UnitOfWork, principal: Principal, conversation_id: uuid.UUID
    ) -> ActionPage:
        """The AI's tool calls in this conversation, oldest first (at most 200)."""
        rows = await actions_of(uow, principal, conversation_id)
        return ActionPage([ActionOut.of(a) for a in rows])


class ActionsController(Controller):
    path = "/api/v1/actions"
    tags = ["actions"]
    guards = [requires(Permission.ACTIONS_APPROVE)]

    @post("/{action_id:uuid}/approve", status_code=HTTP_200_OK, responses=errors(403, 404, 409))
    async def approve_action(
        self, runtime: Runtime, principal: Principal, action_id: uuid.UUID
    ) -> ActionOut:
        """Runs the action once and answers with its outcome (``done`` or ``failed``); an
        action already decided is a 409 and runs nothing."""
        return ActionOut.of(await decide(runtime, principal, action_id, approve=True))

    @post("/{action_id:uuid}/reject", status_code=HTTP_200_OK, responses=errors(403, 404, 409))
    async def reject_action(
        self, runtime: Runtime, principal: Principal, action_id: uuid.UUID
    ) -> ActionOut:
        """A rejected action never runs."""
        return ActionOut.of(await decide(runtime, principal, action_id, approve=False))


def _declared(tools: list[DeclaredTool], taken: set[str]) -> list[dict[str, Any]]:
    if not tools or len(tools) > MAX_TOOLS:
        raise ValidationFailed(f"tools: declare 1-{MAX_TOOLS} tools")
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for n, t in enumerate(tools):
        if not NAME.match(t.name):
            raise ValidationFailed(f"tools[{n}].name: a letter, then letters, digits or _ (max 64)")
        if t.name in seen or t.name in taken:
            raise ValidationFailed(f"tools[{n}].name: {t.name} is taken", code="tool_name_taken")
        if t.policy not in POLICIES:
            raise ValidationFailed(f"tools[{n}].policy must be auto or approval")
        if len(t.description) > 500:
            raise ValidationFailed(f"tools[{n}].description: at most 500 characters")
        try:
            check_schema(t.parameters)
        except ValueError as exc:
            raise ValidationFailed(f"tools[{n}].{exc}") from None
        seen.add(t.name)
        out.append({"name": t.name, "description": t.description.strip(),
                    "parameters": t.parameters, "policy": t.policy})
    return out


async def _taken(uow: UnitOfWork, *, besides: uuid.UUID | None = None) -> set[str]:
    registry = await registry_of(uow)
    names = set(INTERNAL_NAMES) | {t.name for t in registry}
    if besides is not None:
        row = await uow.session.get(ToolIntegration, besides)
        if row is not None:
            names -= {str(t.get("name")) for t in row.tools or []}
    return names


async def _check_url(uow: UnitOfWork, url: str) -> str:
    url = url.strip()
    if not url or len(url) > 2048:
        raise ValidationFailed("url: 1-2048 characters")
    s = uow.runtime.settings
    return await check_outbound_url(url, allow=s.outbound_allow,
                                    allow_private=s.allow_private_outbound)


def _check_name(name: str) -> str:
    name = name.strip()
    if not 1 <= len(name) <= 80:
        raise ValidationFailed("name: 1-80 characters")
    return name


def _check_timeout(value: float) -> float:
    if not 0.5 <= value <= 60:
        raise ValidationFailed("timeout_seconds: between 0.5 and 60")
    return float(value)


class ToolsController(Controller):
    path = "/api/v1/tools"
    tags = ["tools"]
    guards = [requires(Permission.AI_MANAGE)]

    @get("/", responses=errors(403))
    async def list_tools(self, uow: UnitOfWork) -> ToolPage:
        """Every tool the AI may call now: internal ones first, with their policies."""
        registry = await registry_of(uow)
        return ToolPage([ToolOut(t.name, t.description, t.parameters, t.policy, t.source)
                         for t in registry])

    @get("/integrations", responses=errors(403))
    async def list_integrations(self, uow: UnitOfWork) -> IntegrationPage:
        rows = await uow.session.scalars(select(ToolIntegration).order_by(ToolIntegration.id))
        return IntegrationPage([IntegrationOut.of(r) for r in rows])

    @post("/integrations", status_code=HTTP_201_CREATED, responses=errors(403, 422))
    async def create_integration(
        self, uow: UnitOfWork, principal: Principal, data: IntegrationIn
    ) -> IntegrationOut:
        """An HTTP endpoint serving tools. The answer carries the signing secret, shown once."""
        name = _check_name(data.name)
        url = await _check_url(uow, data.url)
        timeout = _check_timeout(data.timeout_seconds)
        tools = _declared(data.tools, await _taken(uow))
        integration_id = uuid7()
        secret = f"tlsec_{secrets.token_urlsafe(32)}"
        row = ToolIntegration(
            id=integration_id, kind="http", name=name, enabled=data.enabled, url=url,
            secret_sealed=uow.runtime.envelope.encrypt(
                secret, context=http.secret_context(integration_id)
            ),
            timeout_seconds=timeout, tools=tools, state={}, created_by_id=principal.user_id,
        )
        uow.session.add(row)
        await uow.session.flush()
        record_audit(uow, principal, "tools.integration_created", "tool_integration", row.id,
                     {"name": name, "url": url, "tools": [t["name"] for t in tools],
                      "timeout_seconds": timeout, "enabled": data.enabled})
        return IntegrationOut.of(row, secret)

    @patch("/integrations/{integration_id:uuid}", responses=errors(403, 404, 422))
    async def update_integration(
        self, uow: UnitOfWork, principal: Principal, integration_id: uuid.UUID,
        data: IntegrationPatch,
    ) -> IntegrationOut:
        row = await uow.session.get(ToolIntegration, integration_id)
        if row is None:
            raise NotFound("no such integration")
        changes: dict[str, Any] = {}
        if data.name is not msgspec.UNSET:
            changes["name"] = _check_name(data.name)
        if data.enabled is not msgspec.UNSET:
            changes["enabled"] = data.enabled
        if row.kind == "http":
            if data.url is not msgspec.UNSET:
                changes["url"] = await _check_url(uow, data.url)
            if data.timeout_seconds is not msgspec.UNSET:
                changes["timeout_seconds"] = _check_timeout(data.timeout_seconds)
            if data.tools is not msgspec.UNSET:
                changes["tools"] = _declared(data.tools, await _taken(uow, besides=row.id))
        elif any(v is not msgspec.UNSET for v in (data.url, data.timeout_seconds, data.tools)):
            raise ValidationFailed("the demo backend takes only name and enabled")
        for key, value in changes.items():
            setattr(row, key, value)
        await uow.session.flush()
        record_audit(uow, principal, "tools.integration_updated", "tool_integration", row.id,
                     {k: ([t["name"] for t in v] if k == "tools" else v)
                      for k, v in changes.items()})
        return IntegrationOut.of(row)

    @delete("/integrations/{integration_id:uuid}", status_code=HTTP_204_NO_CONTENT,
            responses=errors(403, 404))
    async def delete_integration(
        self, uow: UnitOfWork, principal: Principal, integration_id: uuid.UUID
    ) -> None:
        row = await uow.session.get(ToolIntegration, integration_id)
        if row is None:
            raise NotFound("no such integration")
        await uow.session.delete(row)
        record_audit(uow, principal, "tools.integration_deleted", "tool_integration",
                     integration_id, {"name": row.name})
