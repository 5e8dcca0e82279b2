"""User management rules. Services flush, never commit: the unit of work does."""

from __future__ import annotations

import re
import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from baton.auth.models import Role
from baton.auth.passwords import MIN_PASSWORD_LENGTH, hash_password_async
from baton.auth.permissions import BUILTIN_ROLES, Permission, resolve_role
from baton.db.base import utcnow
from baton.kit.errors import Conflict, NotFound, ValidationFailed
from baton.users.models import User

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PRESENCES = ("online", "away", "offline")


def normalise_email(email: str) -> str:
    email = email.strip().lower()
    if not _EMAIL.match(email) or len(email) > 320:
        raise ValidationFailed("a valid email address is required")
    return email


async def check_role(session: AsyncSession, role: str) -> str:
    """The role must exist: built in (admin, agent) or created under /api/v1/roles."""
    if role in BUILTIN_ROLES or await session.get(Role, role) is not None:
        return role
    names = [*BUILTIN_ROLES, *(await session.scalars(select(Role.name).order_by(Role.name)))]
    raise ValidationFailed(f"role must be one of: {', '.join(dict.fromkeys(names))}")


async def role_grants(session: AsyncSession, role: str) -> frozenset[Permission]:
    stored = await session.scalar(select(Role.permissions).where(Role.name == role))
    return resolve_role(role, stored)


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(f"password must be at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > 1024:
        raise ValidationFailed("password is too long")
    return password


def check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 120:
        raise ValidationFailed("name must be 1-120 characters")
    return name


async def get_user(session: AsyncSession, user_id: uuid.UUID) -> User:
    user = await session.get(User, user_id)
    if user is None or user.deleted_at is not None:
        raise NotFound("no such user")
    return user


async def list_users(session: AsyncSession) -> list[User]:
    stmt = select(User).where(User.deleted_at.is_(None)).order_by(User.id)
    return list(await session.scalars(stmt))


async def create_user(
    session: AsyncSession, *, email: str, password: str, role: str, name: str | None = None
) -> User:
    email = normalise_email(email)
    await check_role(session, role)
    check_password(password)
    existing = await session.scalar(select(User).where(User.email == email))
    if existing is not None:
        raise Conflict("a user with this email already exists", code="email_taken")
    user = User(
        email=email,
        name=check_name(name or email.split("@")[0].replace(".", " ").title()),
        password_hash=await hash_password_async(password),
        role=role,
        is_active=True,
        presence="offline",
        token_version=1,
    )
    session.add(user)
    await session.flush()
    return user


async def _admin_roles(session: AsyncSession) -> list[str]:
    stored = {
        name: perms for name, perms in await session.execute(select(Role.name, Role.permissions))
    }
    names = set(BUILTIN_ROLES) | set(stored)
    return [r for r in names if Permission.USERS_MANAGE in resolve_role(r, stored.get(r))]


async def _count_active_admins(session: AsyncSession, excluding: uuid.UUID) -> int:
    admin_roles = await _admin_roles(session)
    stmt = (
        select(func.count())
        .select_from(User)
        .where(
            User.role.in_(admin_roles),
            User.is_active.is_(True),
            User.deleted_at.is_(None),
            User.id != excluding,
        )
    )
    return int(await session.scalar(stmt) or 0)


async def update_user(
    session: AsyncSession,
    user: User,
    *,
    name: str | None = None,
    role: str | None = None,
    is_active: bool | None = None,
    password: str | None = None,
    presence: str | None = None,
) -> User:
    if role is not None:
        await check_role(session, role)
    if (role is not None and role != user.role) or is_active is False:
        losing_admin = is_active is False or (
            Permission.USERS_MANAGE not in await role_grants(session, role or user.role)
        )
        is_admin = Permission.USERS_MANAGE in await role_grants(session, user.role)
        if losing_admin and is_admin and await _count_active_admins(session, user.id) == 0:
            raise Conflict("the workspace must keep at least one active admin", code="last_admin")
    if name is not None:
        user.name = check_name(name)
    if role is not None and role != user.role:
        user.role = role  # REST sees it at once (permissions are read per request)
    if presence is not None:
        if presence not in PRESENCES:
            raise ValidationFailed(f"presence must be one of: {', '.join(PRESENCES)}")
        user.presence = presence
    if password is not None:
        user.password_hash = await hash_password_async(check_password(password))
        user.token_version += 1  # sign out every other session
    if is_active is not None and is_active != user.is_active:
        user.is_active = is_active
        if not is_active:
            user.token_version += 1
            user.presence = "offline"
    await session.flush()
    return user


async def delete_user(session: AsyncSession, user: User) -> None:
    """Soft delete: history keeps its author; the email becomes free again."""
    await update_user(session, user, is_active=False)
    user.deleted_at = utcnow()
    user.email = f"deleted+{user.id.hex}@{user.email.split('@')[-1]}"
    await session.flush()
