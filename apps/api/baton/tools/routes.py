"""Actions for agents (list a conversation's, approve, reject) and tool integrations for
admins (the registry's tools, HTTP endpoints that serve tools)."""

from __future__ import annotations

import secrets
import time
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
from baton.kit.uow import UnitOfWork, unit_of_work
from baton.runtime import Runtime
from baton.tools import demo, http
from baton.tools.models import ToolAction, ToolIntegration
from baton.tools.registry import (
    INTERNAL_NAMES,
    NAME,
    POLICIES,
    ToolFailed,
    check_arguments,
    check_schema,
)
from baton.tools.schemas import (
    ActionOut,
    ActionPage,
    DeclaredTool,
    IntegrationErrorOut,
    IntegrationErrorPage,
    IntegrationIn,
    IntegrationOut,
    IntegrationPage,
    IntegrationPatch,
    IntegrationTestIn,
    IntegrationTestOut,
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
        out.append(
            {
                "name": t.name,
                "description": t.description.strip(),
                "parameters": t.parameters,
                "policy": t.policy,
            }
        )
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
    return await check_outbound_url(
        url, allow=s.outbound_allow, allow_private=s.allow_private_outbound
    )


def _check_name(name: str) -> str:
    name = name.strip()
    if not 1 <= len(name) <= 80:
        raise ValidationFailed("name: 1-80 characters")
    return name


def _check_secret(value: str) -> str:
    if not 16 <= len(value) <= 200 or any(c.isspace() or not c.isprintable() for c in value):
        raise ValidationFailed("secret: 16-200 printable characters, no spaces")
    return value


async def _integration(uow: UnitOfWork, integration_id: uuid.UUID) -> ToolIntegration:
    row = await uow.session.get(ToolIntegration, integration_id)
    if row is None:
        raise NotFound("no such integration")
    return row


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
        return ToolPage(
            [ToolOut(t.name, t.description, t.parameters, t.policy, t.source) for t in registry]
        )

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
        given = _check_secret(data.secret) if data.secret is not None else None
        integration_id = uuid7()
        secret = given or f"tlsec_{secrets.token_urlsafe(32)}"
        row = ToolIntegration(
            id=integration_id,
            kind="http",
            name=name,
            enabled=data.enabled,
            url=url,
            secret_sealed=uow.runtime.envelope.encrypt(
                secret, context=http.secret_context(integration_id)
            ),
            timeout_seconds=timeout,
            tools=tools,
            state={},
            created_by_id=principal.user_id,
        )
        uow.session.add(row)
        await uow.session.flush()
        record_audit(
            uow,
            principal,
            "tools.integration_created",
            "tool_integration",
            row.id,
            {
                "name": name,
                "url": url,
                "tools": [t["name"] for t in tools],
                "timeout_seconds": timeout,
                "enabled": data.enabled,
                "secret": "given" if given else "generated",
            },
        )
        return IntegrationOut.of(row, None if given else secret)  # a given one is not echoed

    @get("/integrations/{integration_id:uuid}", responses=errors(403, 404))
    async def get_integration(self, uow: UnitOfWork, integration_id: uuid.UUID) -> IntegrationOut:
        return IntegrationOut.of(await _integration(uow, integration_id))

    @get("/integrations/{integration_id:uuid}/errors", responses=errors(403, 404))
    async def integration_errors(
        self, uow: UnitOfWork, integration_id: uuid.UUID
    ) -> IntegrationErrorPage:
        """The last 20 failed calls of this integration's tools (newest first)."""
        row = await _integration(uow, integration_id)
        names = (
            [str(t.get("name")) for t in row.tools or []]
            if row.kind == "http"
            else [t.name for t in demo.tools(row.id)]
        )
        if not names:
            return IntegrationErrorPage([])
        failed = await uow.session.scalars(
            select(ToolAction)
            .where(
                ToolAction.status == "failed",
                ToolAction.source == row.kind,
                ToolAction.tool.in_(names),
            )
            .order_by(ToolAction.id.desc())
            .limit(20)
        )
        return IntegrationErrorPage(
            [
                IntegrationErrorOut(
                    a.id,
                    a.conversation_id,
                    a.tool,
                    a.error or "failed",
                    a.finished_at or a.created_at,
                )
                for a in failed
            ]
        )

    @post(
        "/integrations/{integration_id:uuid}/test",
        status_code=HTTP_200_OK,
        responses=errors(403, 404, 422),
    )
    async def test_integration(
        self,
        runtime: Runtime,
        principal: Principal,
        integration_id: uuid.UUID,
        data: IntegrationTestIn,
    ) -> IntegrationTestOut:
        """Calls one of the integration's tools once with these arguments, signed like a
        real call (``X-Baton-Event: tool.test``, no conversation), and says what came back.
        A failing endpoint is ``ok: false`` with the error, not an HTTP error."""
        async with unit_of_work(runtime) as uow:  # read, then call with no transaction open
            row = await _integration(uow, integration_id)
            if row.kind != "http" or not row.url or not row.secret_sealed:
                raise ValidationFailed("only an HTTP integration can be tested")
            declared = {str(t.get("name")): t for t in row.tools or []}
            if data.tool not in declared:
                raise ValidationFailed(f"tool: {data.tool} is not one of this integration's")
            problem = check_arguments(dict(declared[data.tool]["parameters"]), data.arguments)
            if problem is not None:
                raise ValidationFailed(f"arguments: {problem}")
            secret = uow.runtime.envelope.decrypt(
                row.secret_sealed, context=http.secret_context(row.id)
            )
            uow.session.expunge(row)
        started = time.monotonic()
        result, error = None, None
        try:
            result = await http.test_call(runtime, row, secret, tool=data.tool, args=data.arguments)
        except ToolFailed as exc:
            error = exc.detail[:1000]
        took = int((time.monotonic() - started) * 1000)
        async with unit_of_work(runtime) as uow:
            record_audit(
                uow,
                principal,
                "tools.integration_tested",
                "tool_integration",
                integration_id,
                {"tool": data.tool, "ok": error is None, "error": error},
            )
        return IntegrationTestOut(error is None, data.tool, result, error, took)

    @patch("/integrations/{integration_id:uuid}", responses=errors(403, 404, 422))
    async def update_integration(
        self,
        uow: UnitOfWork,
        principal: Principal,
        integration_id: uuid.UUID,
        data: IntegrationPatch,
    ) -> IntegrationOut:
        row = await _integration(uow, integration_id)
        changes: dict[str, Any] = {}
        if data.name is not msgspec.UNSET:
            changes["name"] = _check_name(data.name)
        if data.enabled is not msgspec.UNSET:
            changes["enabled"] = data.enabled
        if data.secret is not msgspec.UNSET:
            if row.kind != "http":
                raise ValidationFailed("the demo backend has no secret")
            row.secret_sealed = uow.runtime.envelope.encrypt(
                _check_secret(data.secret), context=http.secret_context(row.id)
            )
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
        audited = {k: ([t["name"] for t in v] if k == "tools" else v) for k, v in changes.items()}
        if data.secret is not msgspec.UNSET:
            audited["secret"] = "replaced"  # never the secret itself
        record_audit(
            uow, principal, "tools.integration_updated", "tool_integration", row.id, audited
        )
        return IntegrationOut.of(row)

    @delete(
        "/integrations/{integration_id:uuid}",
        status_code=HTTP_204_NO_CONTENT,
        responses=errors(403, 404),
    )
    async def delete_integration(
        self, uow: UnitOfWork, principal: Principal, integration_id: uuid.UUID
    ) -> None:
        row = await uow.session.get(ToolIntegration, integration_id)
        if row is None:
            raise NotFound("no such integration")
        await uow.session.delete(row)
        record_audit(
            uow,
            principal,
            "tools.integration_deleted",
            "tool_integration",
            integration_id,
            {"name": row.name},
        )
