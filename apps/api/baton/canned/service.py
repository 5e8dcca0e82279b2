"""Canned responses: who sees and changes which, create/update/delete, rendering."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from baton.auth.permissions import Permission
from baton.auth.principal import Principal
from baton.canned import fields, variables
from baton.canned.models import CannedCategory, CannedResponse, scope_of
from baton.conversations import policy
from baton.conversations.models import Conversation
from baton.kit.errors import Conflict, Forbidden, NotFound, ValidationFailed
from baton.kit.pagination import keyset, page_cursor
from baton.kit.uow import UnitOfWork
from baton.visitors.models import Visitor


def visible(stmt: Any, principal: Principal) -> Any:
    """Everyone sees the workspace's global responses and their own personal ones."""
    return stmt.where(
        or_(CannedResponse.visibility == "global", CannedResponse.owner_id == principal.id)
    )


def check_visibility(principal: Principal, visibility: str) -> None:
    if visibility == "global" and not principal.has(Permission.CANNED_MANAGE):
        raise Forbidden(
            "global canned responses need the canned:manage permission; "
            "create a personal one instead",
            code="missing_permission",
        )
    if visibility == "personal" and principal.user_id is None:
        raise Forbidden("an API key has no personal responses; create a global one")


def owner_for(principal: Principal, visibility: str) -> uuid.UUID | None:
    return principal.user_id if visibility == "personal" else None


async def get_visible(
    uow: UnitOfWork, principal: Principal, canned_id: uuid.UUID
) -> CannedResponse:
    found = await uow.session.scalar(
        visible(select(CannedResponse), principal).where(CannedResponse.id == canned_id)
    )
    if found is None:
        raise NotFound("no such canned response")
    return found  # type: ignore[no-any-return]


def _valid(shortcut: str, title: str, body: str, category: str | None) -> None:
    found = fields.problems(shortcut, title, body, category)
    if found:
        column, detail = found[0]
        raise ValidationFailed(detail, code=f"invalid_{column}")


async def _check_unique(
    session: AsyncSession, scope: str, shortcut: str, *, except_id: uuid.UUID | None = None
) -> None:
    stmt = select(CannedResponse.id).where(
        CannedResponse.scope == scope, CannedResponse.shortcut == shortcut
    )
    if except_id is not None:
        stmt = stmt.where(CannedResponse.id != except_id)
    if await session.scalar(stmt) is not None:
        raise Conflict(f"the shortcut /{shortcut} is taken", code="duplicate_shortcut")


async def known_categories(session: AsyncSession) -> set[str]:
    return set(await session.scalars(select(CannedCategory.name)))


async def canonical_category(session: AsyncSession, name: str) -> str:
    """The stored spelling of ``name`` (case aside), creating the category if it is new."""
    for known in await known_categories(session):
        if known.lower() == name.lower():
            return known
    session.add(CannedCategory(name=name))
    return name


def clean_category(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


async def create(
    uow: UnitOfWork,
    principal: Principal,
    *,
    shortcut: str,
    title: str,
    body: str,
    category: str | None,
    visibility: str,
) -> CannedResponse:
    check_visibility(principal, visibility)
    shortcut, category = fields.clean_shortcut(shortcut), clean_category(category)
    title = title.strip() or shortcut
    _valid(shortcut, title, body, category)
    owner = owner_for(principal, visibility)
    scope = scope_of(visibility, owner)
    await _check_unique(uow.session, scope, shortcut)
    if category:
        category = await canonical_category(uow.session, category)
    canned = CannedResponse(
        shortcut=shortcut,
        title=title,
        body=body,
        category=category,
        visibility=visibility,
        scope=scope,
        owner_id=owner,
        created_by_id=principal.user_id,
    )
    uow.session.add(canned)
    await uow.session.flush()
    return canned


def check_write(principal: Principal, canned: CannedResponse) -> None:
    if canned.visibility == "global":
        check_visibility(principal, "global")
    elif canned.owner_id != principal.id:
        raise NotFound("no such canned response")


async def update(
    uow: UnitOfWork, principal: Principal, canned: CannedResponse, changes: dict[str, Any]
) -> CannedResponse:
    check_write(principal, canned)
    visibility = changes.get("visibility", canned.visibility)
    if visibility != canned.visibility:
        check_visibility(principal, visibility)
    shortcut = fields.clean_shortcut(changes.get("shortcut", canned.shortcut))
    title = changes.get("title", canned.title).strip() or shortcut
    body = changes.get("body", canned.body)
    category = clean_category(changes.get("category", canned.category))
    _valid(shortcut, title, body, category)
    owner = owner_for(principal, visibility) if visibility != canned.visibility else canned.owner_id
    scope = scope_of(visibility, owner)
    await _check_unique(uow.session, scope, shortcut, except_id=canned.id)
    if category:
        category = await canonical_category(uow.session, category)
    canned.shortcut, canned.title, canned.body, canned.category = shortcut, title, body, category
    canned.visibility, canned.owner_id, canned.scope = visibility, owner, scope
    await uow.session.flush()
    return canned


async def delete(uow: UnitOfWork, principal: Principal, canned: CannedResponse) -> None:
    check_write(principal, canned)
    await uow.session.delete(canned)
    await uow.session.flush()


async def list_page(
    uow: UnitOfWork,
    principal: Principal,
    *,
    category: str | None,
    visibility: str | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[CannedResponse], str | None]:
    stmt = visible(select(CannedResponse), principal)
    if category:
        stmt = stmt.where(CannedResponse.category == category)
    if visibility:
        stmt = stmt.where(CannedResponse.visibility == visibility)
    keys = [CannedResponse.shortcut, CannedResponse.id]
    rows = list(
        await uow.session.scalars(keyset(stmt, keys, descending=False, cursor=cursor, limit=limit))
    )
    return page_cursor(rows, limit, lambda c: [c.shortcut, c.id])


async def render(
    uow: UnitOfWork,
    principal: Principal,
    canned: CannedResponse,
    conversation_id: uuid.UUID | None,
) -> str:
    values: dict[str, str | None] = {"agent.name": principal.name}
    if conversation_id is not None:
        conversation = await uow.session.get(Conversation, conversation_id)
        if conversation is None:
            raise NotFound("no such conversation")
        policy.check_read(principal, conversation)
        visitor = await uow.session.get(Visitor, conversation.visitor_id)
        values["conversation.id"] = str(conversation.id)
        if visitor is not None:
            values["visitor.name"] = visitor.name
            values["visitor.email"] = visitor.email
    return variables.fill(canned.body, values)
