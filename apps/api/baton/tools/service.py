"""Running tools and deciding actions.

- ``load_registry``: the registry of one reply: internal tools, then the enabled
  integrations' tools (demo order backend, HTTP endpoints).
- ``ReplyTools``: what the AI fleet calls while a model answers. An ``auto`` tool runs at once
  and its result goes back to the model; an ``approval`` tool is stored ``proposed`` (agents
  get ``action_proposed``) and the model is told a person must approve it. Each distinct call
  runs or is proposed once per reply, even when the fleet retries or fails over.
- ``decide``: an agent approves or rejects a proposed action. The move out of ``proposed``
  is a compare-and-set (``UPDATE ... WHERE status = 'proposed'``) committed before anything
  runs, so a double click or two processes deciding at once get one winner and a 409 for
  the other; an approved action then runs once, a rejected one never. If the process dies
  between the approval and the end of the run, the action stays ``approved`` and is not run
  again (at most once: a refund must not happen twice).

Every proposal, decision and outcome is written to the audit trail.
"""

from __future__ import annotations

import json
import logging
import uuid
from typing import TYPE_CHECKING, Any

import msgspec
from sqlalchemy import select, update

from baton.audit.service import record_audit
from baton.auth.principal import Principal
from baton.conversations.models import Conversation
from baton.conversations.policy import check_read
from baton.db.base import utcnow
from baton.kit.errors import Conflict, NotFound
from baton.kit.ids import uuid7
from baton.kit.uow import UnitOfWork, unit_of_work
from baton.realtime.rooms import AGENT_NS, conversation_room, user_room
from baton.tools import demo, http
from baton.tools.models import ToolAction, ToolIntegration
from baton.tools.registry import Registry, Tool, ToolContext, ToolFailed, check_arguments
from baton.tools.schemas import ActionOut

if TYPE_CHECKING:
    from baton.ai.providers.base import ToolCall
    from baton.runtime import Runtime

log = logging.getLogger(__name__)
AWAITING = (
    "Proposed to the support team: a person must approve it before it happens. Tell the "
    "visitor it is waiting for approval; do not say it is done."
)


async def registry_of(uow: UnitOfWork) -> Registry:
    rows = await uow.session.scalars(
        select(ToolIntegration)
        .where(ToolIntegration.enabled.is_(True))
        .order_by(ToolIntegration.created_at, ToolIntegration.id)
    )
    found: list[Tool] = []
    for row in rows:
        if row.kind == "demo":
            found.extend(demo.tools(row.id))
        elif row.kind == "http" and row.url and row.secret_sealed:
            try:
                secret = uow.runtime.envelope.decrypt(
                    row.secret_sealed, context=http.secret_context(row.id)
                )
            except Exception:  # sealed under another master key: its tools are unavailable
                log.warning(
                    "tool integration secret unreadable", extra={"integration": str(row.id)}
                )
                continue
            found.extend(http.tools(row, secret))
    return Registry(found)


async def load_registry(runtime: Runtime) -> Registry:
    async with unit_of_work(runtime) as uow:
        return await registry_of(uow)


def _publish(uow: UnitOfWork, event: str, action: ToolAction, assignee: uuid.UUID | None) -> None:
    rooms = [conversation_room(action.conversation_id)]
    if assignee is not None:
        rooms.append(user_room(assignee))
    payload = {"action": msgspec.to_builtins(ActionOut.of(action))}
    uow.publish(event, payload, rooms=rooms, namespace=AGENT_NS)


async def _run(
    tool: Tool, ctx: ToolContext, args: dict[str, Any]
) -> tuple[dict[str, Any] | None, str | None]:
    """(result, error) of one run of a tool's handler."""
    assert tool.handler is not None
    try:
        return await tool.handler(ctx, args), None
    except ToolFailed as exc:
        return None, exc.detail[:1000]
    except Exception:
        log.exception("tool handler failed", extra={"tool": tool.name})
        return None, "the tool failed unexpectedly"


async def _store(runtime: Runtime, action: ToolAction, *, event: str, audit: str | None) -> None:
    async with unit_of_work(runtime) as uow:
        uow.session.add(action)
        await uow.session.flush()
        conversation = await uow.session.get(Conversation, action.conversation_id)
        if audit is not None:
            record_audit(
                uow,
                None,
                audit,
                "action",
                action.id,
                {
                    "tool": action.tool,
                    "arguments": action.arguments,
                    "conversation_id": str(action.conversation_id),
                    "error": action.error,
                },
            )
        _publish(uow, event, action, conversation.assignee_id if conversation else None)


class ReplyTools:
    """The workspace's tools during one AI reply (``ai.fleet.ToolRunner``)."""

    def __init__(self, runtime: Runtime, conversation_id: uuid.UUID, registry: Registry) -> None:
        self.runtime = runtime
        self.conversation_id = conversation_id
        self.registry = registry
        self.answered: dict[str, dict[str, Any]] = {}

    def runnable(self, name: str) -> bool:
        return self.registry.runnable(name)

    async def run(self, call: ToolCall) -> dict[str, Any]:
        key = f"{call.name}:{json.dumps(call.args, sort_keys=True, default=str)}"
        if key not in self.answered:
            self.answered[key] = await self._run(call)
        return self.answered[key]

    async def _run(self, call: ToolCall) -> dict[str, Any]:
        tool = self.registry.get(call.name)
        assert tool is not None and tool.handler is not None
        args = dict(call.args)
        action = ToolAction(
            id=uuid7(),
            conversation_id=self.conversation_id,
            tool=tool.name,
            source=tool.source,
            policy=tool.policy,
            arguments=args,
            created_at=utcnow(),
        )
        problem = check_arguments(tool.parameters, args)
        if problem is not None:
            action.status, action.error, action.finished_at = "failed", problem, utcnow()
            await _store(self.runtime, action, event="action_updated", audit="actions.failed")
            return {"error": f"invalid arguments: {problem}"}
        if tool.policy == "approval":
            action.status = "proposed"
            await _store(self.runtime, action, event="action_proposed", audit="actions.proposed")
            return {"status": "awaiting_approval", "action_id": str(action.id), "detail": AWAITING}
        ctx = ToolContext(self.runtime, self.conversation_id, action.id)
        result, error = await _run(tool, ctx, args)
        action.status = "done" if error is None else "failed"
        action.result, action.error, action.finished_at = result, error, utcnow()
        await _store(
            self.runtime,
            action,
            event="action_updated",
            audit="actions.done" if error is None else "actions.failed",
        )
        return result if result is not None else {"error": error}


async def actions_of(
    uow: UnitOfWork, principal: Principal, conversation_id: uuid.UUID
) -> list[ToolAction]:
    conversation = await uow.session.get(Conversation, conversation_id)
    if conversation is None:
        raise NotFound("no such conversation")
    check_read(principal, conversation)
    rows = await uow.session.scalars(
        select(ToolAction)
        .where(ToolAction.conversation_id == conversation_id)
        .order_by(ToolAction.id)
        .limit(200)
    )
    return list(rows)


async def decide(
    runtime: Runtime, principal: Principal, action_id: uuid.UUID, *, approve: bool
) -> ToolAction:
    """Approve (then run once) or reject a proposed action; 409 once it is decided."""
    status = "approved" if approve else "rejected"
    async with unit_of_work(runtime) as uow:
        action = await uow.session.get(ToolAction, action_id)
        conversation = (
            await uow.session.get(Conversation, action.conversation_id) if action else None
        )
        if action is None or conversation is None:
            raise NotFound("no such action")
        try:
            check_read(principal, conversation)
        except NotFound:
            raise NotFound("no such action") from None
        claimed = await uow.session.execute(
            update(ToolAction)
            .where(ToolAction.id == action_id, ToolAction.status == "proposed")
            .values(
                status=status,
                decided_by_id=principal.user_id,
                decided_by_name=principal.own_name[:120],
                decided_at=utcnow(),
            )
            .execution_options(synchronize_session=False)
        )
        await uow.session.refresh(action)
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            raise Conflict(f"this action is {action.status} already", code="action_decided")
        record_audit(
            uow,
            principal,
            f"actions.{status}",
            "action",
            action.id,
            {
                "tool": action.tool,
                "arguments": action.arguments,
                "conversation_id": str(action.conversation_id),
            },
        )
        _publish(uow, "action_updated", action, conversation.assignee_id)
        assignee = conversation.assignee_id
    if not approve:
        return action
    registry = await load_registry(runtime)
    tool = registry.get(action.tool)
    result: dict[str, Any] | None
    error: str | None
    if tool is None or tool.handler is None:
        result, error = None, f"the tool {action.tool} is no longer available"
    else:
        ctx = ToolContext(runtime, action.conversation_id, action.id)
        result, error = await _run(tool, ctx, dict(action.arguments or {}))
    outcome = "done" if error is None else "failed"
    async with unit_of_work(runtime) as uow:
        await uow.session.execute(
            update(ToolAction)
            .where(ToolAction.id == action_id, ToolAction.status == "approved")
            .values(status=outcome, result=result, error=error, finished_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        finished = await uow.session.get(ToolAction, action_id, populate_existing=True)
        assert finished is not None
        record_audit(
            uow,
            None,
            f"actions.{outcome}",
            "action",
            action_id,
            {"tool": finished.tool, "result": result, "error": error},
        )
        _publish(uow, "action_updated", finished, assignee)
        return finished
