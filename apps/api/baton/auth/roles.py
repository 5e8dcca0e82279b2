"""Roles: the built-in ``admin`` and ``agent`` and the workspace's own. Services flush, never
commit: the unit of work does (and, once it has, refreshes this process's role cache and the
live sockets of the users who hold a changed role)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from baton.auth.models import Role
from baton.auth.permissions import (
    ADMIN_ROLE,
    BUILTIN_ROLES,
    Permission,
    resolve_role,
    role_cache,
)
from baton.kit.errors import Conflict, Forbidden, NotFound, ValidationFailed
from baton.users.models import User

_NAME = re.compile(r"^[a-z][a-z0-9_-]{1,31}$")


@dataclass(frozen=True)
class RoleView:
    name: str
    description: str
    permissions: frozenset[Permission]
    builtin: bool
    users: int


def check_permission_names(names: list[str]) -> frozenset[Permission]:
    known = {p.value for p in Permission}
    unknown = sorted({n for n in names if n not in known})
    if unknown:
        raise ValidationFailed(f"unknown permission(s): {', '.join(unknown)}")
    return frozenset(Permission(n) for n in names)


def check_grantable(granted: frozenset[Permission], holder: frozenset[Permission]) -> None:
    """Nobody hands out a permission they do not hold themselves."""
    beyond = sorted(p.value for p in granted - holder)
    if beyond:
        raise Forbidden(f"you cannot grant permissions you do not hold: {', '.join(beyond)}")


def _check_name(name: str) -> str:
    if not _NAME.match(name):
        raise ValidationFailed(
            "name must be 2-32 characters: lowercase letters, digits, '-' or '_', "
            "starting with a letter",
            code="invalid_role_name",
        )
    return name


def _check_description(description: str | None) -> str:
    text = (description or "").strip()
    if len(text) > 200:
        raise ValidationFailed("description must be at most 200 characters")
    return text


async def _user_counts(session: AsyncSession) -> dict[str, int]:
    rows = await session.execute(
        select(User.role, func.count()).where(User.deleted_at.is_(None)).group_by(User.role)
    )
    return {role: int(n) for role, n in rows.all()}


async def list_roles(session: AsyncSession) -> list[RoleView]:
    stored = {r.name: r for r in await session.scalars(select(Role))}
    counts = await _user_counts(session)
    views = []
    for name in BUILTIN_ROLES:
        row = stored.pop(name, None)
        views.append(
            RoleView(
                name,
                row.description if row else "",
                resolve_role(name, row.permissions if row else None),
                True,
                counts.get(name, 0),
            )
        )
    for name in sorted(stored):
        row = stored[name]
        views.append(
            RoleView(
                name,
                row.description,
                resolve_role(name, row.permissions),
                False,
                counts.get(name, 0),
            )
        )
    return views


async def get_role(session: AsyncSession, name: str) -> RoleView:
    for view in await list_roles(session):
        if view.name == name:
            return view
    raise NotFound("no such role")


async def role_exists(session: AsyncSession, name: str) -> bool:
    if name in BUILTIN_ROLES:
        return True
    return await session.get(Role, name) is not None


def _stored_list(permissions: frozenset[Permission]) -> list[str]:
    return sorted(p.value for p in permissions)


async def create_role(
    session: AsyncSession,
    *,
    name: str,
    permissions: list[str],
    description: str | None,
    granted_by: frozenset[Permission],
) -> RoleView:
    name = _check_name(name.strip())
    perms = check_permission_names(permissions)
    check_grantable(perms, granted_by)
    if await role_exists(session, name):
        raise Conflict("a role with this name already exists", code="role_exists")
    session.add(
        Role(
            name=name, permissions=_stored_list(perms), description=_check_description(description)
        )
    )
    await session.flush()
    return await get_role(session, name)


async def _admins_left(
    session: AsyncSession, without_role: str, perms: frozenset[Permission]
) -> bool:
    """Would some active user still hold ``users:manage`` and ``roles:manage``?"""
    needed = {Permission.USERS_MANAGE, Permission.ROLES_MANAGE}
    views = await list_roles(session)
    holding = [
        v.name for v in views if needed <= (perms if v.name == without_role else v.permissions)
    ]
    if not holding:
        return False
    count = await session.scalar(
        select(func.count())
        .select_from(User)
        .where(User.role.in_(holding), User.is_active.is_(True), User.deleted_at.is_(None))
    )
    return bool(count)


async def update_role(
    session: AsyncSession,
    name: str,
    *,
    new_name: str | None,
    permissions: list[str] | None,
    description: str | None,
    granted_by: frozenset[Permission],
) -> tuple[RoleView, RoleView]:
    """Returns (before, after)."""
    before = await get_role(session, name)
    if name == ADMIN_ROLE:
        raise Conflict("the admin role always holds every permission", code="builtin_role")
    row = await session.get(Role, name)
    if new_name is not None and new_name != name:
        if before.builtin:
            raise Conflict("built-in roles cannot be renamed", code="builtin_role")
        new_name = _check_name(new_name.strip())
        if await role_exists(session, new_name):
            raise Conflict("a role with this name already exists", code="role_exists")
    perms = before.permissions
    if permissions is not None:
        perms = check_permission_names(permissions)
        check_grantable(perms ^ before.permissions, granted_by)
        if not await _admins_left(session, name, perms):
            raise Conflict(
                "the workspace must keep an active user who manages users and roles",
                code="last_admin",
            )
    if row is None:  # first edit of the built-in agent role
        row = Role(name=name, permissions=_stored_list(perms), description="")
        session.add(row)
    row.permissions = _stored_list(perms)
    if description is not None:
        row.description = _check_description(description)
    if new_name is not None and new_name != name:
        # the primary key changes: insert the new row, move the users, drop the old one
        session.add(
            Role(
                name=new_name,
                permissions=row.permissions,
                description=row.description,
                created_at=row.created_at,
            )
        )
        await session.flush()
        await session.execute(update(User).where(User.role == name).values(role=new_name))
        await session.delete(row)
        name = new_name
    await session.flush()
    return before, await get_role(session, name)


async def delete_role(session: AsyncSession, name: str) -> RoleView:
    view = await get_role(session, name)
    if view.builtin:
        raise Conflict("built-in roles cannot be deleted", code="builtin_role")
    in_use = await session.scalar(
        select(func.count()).select_from(User).where(User.role == name, User.deleted_at.is_(None))
    )
    if in_use:
        raise Conflict(
            f"{in_use} user(s) hold this role: give them another role first", code="role_in_use"
        )
    row = await session.get(Role, name)
    if row is not None:
        await session.delete(row)
    # soft-deleted users keep their last role name for history; it grants nothing now
    await session.flush()
    return view


async def user_ids_with_role(session: AsyncSession, name: str) -> list[object]:
    rows = await session.scalars(
        select(User.id).where(User.role == name, User.deleted_at.is_(None))
    )
    return list(rows)


def forget_cached(name: str) -> None:
    role_cache.remember(name, None)
