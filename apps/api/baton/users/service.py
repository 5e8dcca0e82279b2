"""User management rules. Services flush, never commit: the unit of work does."""

from __future__ import annotations

import re
import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from baton.auth.passwords import MIN_PASSWORD_LENGTH, hash_password_async
from baton.auth.permissions import ROLES, Permission, permissions_for_role
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


def check_role(role: str) -> str:
    if role not in ROLES:
        raise ValidationFailed(f"role must be one of: {', '.join(ROLES)}")
    return role


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
    check_role(role)
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


async def _count_active_admins(session: AsyncSession, excluding: uuid.UUID) -> int:
    admin_roles = [r for r in ROLES if Permission.USERS_MANAGE in permissions_for_role(r)]
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
    losing_admin = (
        role is not None and Permission.USERS_MANAGE not in permissions_for_role(role)
    ) or (is_active is False)
    is_admin = Permission.USERS_MANAGE in permissions_for_role(user.role)
    if losing_admin and is_admin and await _count_active_admins(session, user.id) == 0:
        raise Conflict("the workspace must keep at least one active admin", code="last_admin")
    if name is not None:
        user.name = check_name(name)
    if role is not None:
        user.role = check_role(role)
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
