"""Authentication rules: login, resolving bearer credentials, API key lifecycle."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from baton.auth.lockout import LoginGuard
from baton.auth.models import ApiKey, Role
from baton.auth.passwords import verify_password_async
from baton.auth.permissions import (
    API_KEY_PERMISSIONS,
    Permission,
    parse_permissions,
    permissions_for_role,
    resolve_role,
    role_cache,
)
from baton.auth.principal import Principal
from baton.auth.tokens import (
    hash_api_key,
    issue_access_token,
    looks_like_api_key,
    new_api_key,
    read_access_token,
)
from baton.db.base import utcnow
from baton.kit.errors import NotFound, Unauthorized
from baton.kit.ratelimit import FailureLog, MemoryFailureLog, RateLimiter
from baton.settings import Settings
from baton.users.models import User


@dataclass(frozen=True)
class LoginResult:
    access_token: str
    expires_at: datetime
    user: User
    permissions: frozenset[Permission]


# What agents and visitors see as the author of an integrator's reply (never the key's name)
API_KEY_PUBLIC_NAME = "Integration"


def principal_for_user(user: User, permissions: frozenset[Permission] | None = None) -> Principal:
    perms = permissions if permissions is not None else permissions_for_role(user.role)
    return Principal("user", user.id, user.name, user.role, perms)


def principal_for_key(key: ApiKey) -> Principal:
    scopes = API_KEY_PERMISSIONS if key.scopes is None else parse_permissions(key.scopes)
    return Principal("api_key", key.id, API_KEY_PUBLIC_NAME, "integrator", scopes, label=key.name)


async def refresh_role_cache(session: AsyncSession, *, force: bool = False) -> None:
    """Reload every stored role into this process's cache when it is stale (or forced)."""
    if force or role_cache.stale():
        rows = (await session.execute(select(Role.name, Role.permissions))).all()
        role_cache.replace({name: list(perms or []) for name, perms in rows})


async def refresh_roles(runtime: Any, *, force: bool = False) -> None:
    """Refresh this process's role cache outside a request (jobs, principal changes)."""
    if force or role_cache.stale():
        async with runtime.db.session() as session:
            await refresh_role_cache(session, force=True)


async def role_permissions(session: AsyncSession, role: str) -> frozenset[Permission]:
    """A role's permissions read from the database now (and remembered in the cache)."""
    stored = await session.scalar(select(Role.permissions).where(Role.name == role))
    permissions = resolve_role(role, stored)
    role_cache.remember(role, None if stored is None else permissions)
    return permissions


async def login(
    session: AsyncSession,
    settings: Settings,
    limiter: RateLimiter,
    *,
    email: str,
    password: str,
    client_ip: str,
    failures: FailureLog | None = None,
) -> LoginResult:
    """Check the credentials under the lockout rules of ``auth.lockout``."""
    email = email.strip().lower()
    guard = LoginGuard(settings, limiter, failures or _default_failures, email, client_ip)
    await guard.check()
    row = (
        await session.execute(
            select(User, Role.permissions)
            .outerjoin(Role, Role.name == User.role)
            .where(User.email == email, User.deleted_at.is_(None))
        )
    ).first()
    user = row[0] if row is not None else None
    valid = await verify_password_async(user.password_hash if user else None, password)
    if user is None or not valid or not user.is_active:
        await guard.failed()
        raise Unauthorized("invalid email or password", code="invalid_credentials")
    await guard.succeeded()
    token, expires = issue_access_token(
        settings.secret_key, user.id, user.token_version, settings.access_token_minutes
    )
    user.last_seen_at = utcnow()
    permissions = resolve_role(user.role, row[1] if row is not None else None)
    return LoginResult(token, expires, user, permissions)


_default_failures = MemoryFailureLog()


async def authenticate(session: AsyncSession, settings: Settings, token: str) -> Principal | None:
    """Resolve a bearer credential (access token or API key) to a principal, or None."""
    if looks_like_api_key(token):
        key = await session.scalar(
            select(ApiKey).where(
                ApiKey.key_hash == hash_api_key(token), ApiKey.revoked_at.is_(None)
            )
        )
        now = utcnow()
        if key is None or (key.expires_at is not None and key.expires_at <= now):
            return None
        if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 30:
            await session.execute(
                update(ApiKey).where(ApiKey.id == key.id).values(last_used_at=now)
            )
        return principal_for_key(key)
    claims = read_access_token(settings.secret_key, token)
    if claims is None:
        return None
    row = (
        await session.execute(
            select(User, Role.permissions)
            .outerjoin(Role, Role.name == User.role)
            .where(User.id == claims.user_id)
        )
    ).first()
    if row is None:
        return None
    user, stored = row
    if (
        not user.is_active
        or user.deleted_at is not None
        or user.token_version != claims.token_version
    ):
        return None
    permissions = resolve_role(user.role, stored)
    role_cache.remember(user.role, None if stored is None else permissions)
    await refresh_role_cache(session)
    return principal_for_user(user, permissions)


async def create_api_key(
    session: AsyncSession,
    *,
    name: str,
    created_by: uuid.UUID,
    scopes: list[str] | None = None,
    expires_at: datetime | None = None,
) -> tuple[ApiKey, str]:
    raw = new_api_key()
    key = ApiKey(
        name=name.strip(),
        prefix=raw[:10],
        key_hash=hash_api_key(raw),
        created_by_id=created_by,
        created_at=utcnow(),
        scopes=sorted(p.value for p in API_KEY_PERMISSIONS) if scopes is None else scopes,
        expires_at=expires_at,
    )
    session.add(key)
    await session.flush()
    return key, raw


async def list_api_keys(session: AsyncSession) -> list[ApiKey]:
    return list(await session.scalars(select(ApiKey).order_by(ApiKey.id.desc())))


async def get_api_key(session: AsyncSession, key_id: uuid.UUID) -> ApiKey:
    key = await session.get(ApiKey, key_id)
    if key is None:
        raise NotFound("no such API key")
    return key


async def revoke_api_key(session: AsyncSession, key_id: uuid.UUID) -> ApiKey:
    key = await get_api_key(session, key_id)
    if key.revoked_at is None:
        key.revoked_at = utcnow()
    return key


def require_principal(principal: Principal | None) -> Principal:
    if principal is None:
        raise Unauthorized("missing or invalid credentials")
    return principal
